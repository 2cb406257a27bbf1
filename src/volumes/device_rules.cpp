#include "volumes/device_rules.h"

#include <algorithm>

#include "base/strings.h"

namespace s5j::volumes {
namespace {

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// The first device (itself, then its partitions and what is built on it)
// for which `pred` holds.
template <typename Pred>
const BlockDevice* first_where(const Inventory& inv, const BlockDevice& device, Pred pred) {
  if (pred(device)) return &device;
  for (const auto* d : inv.descendants(device))
    if (pred(*d)) return d;
  return nullptr;
}

std::string via(const BlockDevice& device, const BlockDevice& found) {
  return found.name == device.name ? "" : " (through " + found.path + ")";
}

std::string what_signature(const BlockDevice& d) {
  std::string s = "a signature of type " + d.fs_type;
  if (!d.label.empty()) s += ", labelled '" + d.label + "'";
  return s;
}

bool named_for_wipe(const SetupRules& rules, const BlockDevice& d) {
  return std::find(rules.wipe.begin(), rules.wipe.end(), d.name) != rules.wipe.end();
}

// The reasons no rule lets --wipe override, shared by classify and refusal_for.
std::optional<std::string> in_use_for_good(const Inventory& inv, const BlockDevice& device) {
  if (const auto* r = first_where(inv, device, [](const BlockDevice& d) { return d.root; }))
    return "holds / (the root filesystem)" + via(device, *r);
  if (const auto* s = first_where(inv, device, [](const BlockDevice& d) { return d.swap; }))
    return "is in use as swap" + via(device, *s);
  if (const auto* m = first_where(inv, device, [](const BlockDevice& d) { return !d.mount_points.empty(); }))
    return "is mounted at " + list(m->mount_points) + via(device, *m);
  if (!device.holders.empty()) return "is in use by /dev/" + list(device.holders) + " (device-mapper, RAID or LVM)";
  return std::nullopt;
}

}  // namespace

std::string_view to_string(DeviceState state) {
  switch (state) {
    case DeviceState::free: return "free";
    case DeviceState::s5j_volume: return "s5j";
    case DeviceState::in_use: break;
  }
  return "in use";
}

DeviceVerdict classify(const Inventory& inv, const BlockDevice& device) {
  if (device.is_s5j_volume() && !device.root && !device.swap) return {DeviceState::s5j_volume, ""};
  if (auto reason = in_use_for_good(inv, device)) return {DeviceState::in_use, *reason};
  if (device.read_only) return {DeviceState::in_use, "is read-only"};
  if (device.type == DeviceType::partition) return {DeviceState::in_use, "is a partition of /dev/" + device.parent};
  if (device.size_bytes == 0) return {DeviceState::in_use, "is empty (0 bytes)"};
  if (!device.probed) return {DeviceState::in_use, "cannot be probed: " + device.probe_error};
  if (!device.partition_table.empty()) return {DeviceState::in_use, "has a " + device.partition_table + " partition table"};
  if (device.several_signatures) return {DeviceState::in_use, "holds several signatures"};
  if (!device.fs_type.empty()) return {DeviceState::in_use, "holds " + what_signature(device)};
  return {DeviceState::free, ""};
}

std::optional<std::string> refusal_for(const Inventory& inv, const BlockDevice& device, const SetupRules& rules) {
  const std::string& dev = device.path;
  if (device.is_s5j_volume() && !device.mount_points.empty() && !device.root && !device.swap) return std::nullopt;
  if (auto reason = in_use_for_good(inv, device)) {
    const bool mounted = reason->starts_with("is mounted");
    return dev + " " + *reason +
           (mounted ? " (unmount it first if it may be erased, or name another device)"
                    : " (name another device: see s5j volumes list)");
  }
  if (device.read_only) return dev + " is read-only (attach it read-write, or name another device)";
  if (device.type == DeviceType::partition)
    return dev + " is a partition of /dev/" + device.parent +
           " (s5j formats whole disks: to erase the whole disk, name /dev/" + device.parent + " and --wipe /dev/" +
           device.parent + ")";
  if (!device.probed && device.size_bytes > 0) return dev + " cannot be probed: " + device.probe_error;
  if (device.size_bytes < rules.minimum_size)
    return dev + " is " + human_bytes(device.size_bytes) + ", smaller than the minimum of " +
           human_bytes(rules.minimum_size) + " (name a larger device, or lower --min-size)";
  if (named_for_wipe(rules, device)) return std::nullopt;
  const std::string erase = " (its data would be lost: to erase it, name it again with --wipe " + dev + ")";
  if (!device.partition_table.empty()) return dev + " has a " + device.partition_table + " partition table" + erase;
  if (device.several_signatures) return dev + " holds several signatures that contradict each other" + erase;
  if (!device.fs_type.empty() && !device.is_s5j_volume()) return dev + " holds " + what_signature(device) + erase;
  return std::nullopt;
}

std::vector<const BlockDevice*> pick_all_free(const Inventory& inv, const SetupRules& rules) {
  std::vector<const BlockDevice*> out;
  for (const auto& d : inv.devices) {
    if (d.type == DeviceType::loop || d.type == DeviceType::ram || d.type == DeviceType::zram ||
        d.type == DeviceType::rom)
      continue;
    if (d.size_bytes < rules.minimum_size) continue;
    const auto verdict = classify(inv, d);
    const bool usable = verdict.state == DeviceState::free ||
                        (verdict.state == DeviceState::s5j_volume && d.mount_points.empty());
    if (usable) out.push_back(&d);
  }
  return out;
}

}  // namespace s5j::volumes
