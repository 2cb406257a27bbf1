#include "volumes/block_device.h"

#include <charconv>

namespace s5j::volumes {

std::string_view to_string(DeviceType type) {
  switch (type) {
    case DeviceType::disk: return "disk";
    case DeviceType::partition: return "part";
    case DeviceType::loop: return "loop";
    case DeviceType::ram: return "ram";
    case DeviceType::zram: return "zram";
    case DeviceType::rom: return "rom";
    case DeviceType::device_mapper: return "dm";
    case DeviceType::md: return "md";
    case DeviceType::other: break;
  }
  return "other";
}

namespace {

// NN of a label "s5j-vol-NN" (01..99), else 0.
int number_in_label(std::string_view label) {
  if (!label.starts_with(kLabelPrefix) || label.size() != kLabelPrefix.size() + 2) return 0;
  const std::string_view digits = label.substr(kLabelPrefix.size());
  int n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 1 || n > 99) return 0;
  return n;
}

}  // namespace

bool BlockDevice::is_s5j_volume() const {
  return (fs_type == "ext4" || fs_type == "xfs") && number_in_label(label) != 0 && partition_table.empty() &&
         !several_signatures;
}

int BlockDevice::label_number() const { return is_s5j_volume() ? number_in_label(label) : 0; }

const BlockDevice* Inventory::by_name(std::string_view name) const {
  if (name.starts_with("/dev/")) name.remove_prefix(5);
  for (const auto& d : devices)
    if (d.name == name) return &d;
  return nullptr;
}

const BlockDevice* Inventory::by_number(unsigned major, unsigned minor) const {
  for (const auto& d : devices)
    if (d.major == major && d.minor == minor) return &d;
  return nullptr;
}

std::vector<const BlockDevice*> Inventory::descendants(const BlockDevice& device) const {
  std::vector<const BlockDevice*> out;
  std::vector<const BlockDevice*> todo{&device};
  while (!todo.empty()) {
    const BlockDevice* d = todo.back();
    todo.pop_back();
    auto add = [&](const BlockDevice* c) {
      for (const auto* seen : out)
        if (seen == c) return;  // a device reached twice (partition and holder) counts once
      out.push_back(c);
      todo.push_back(c);
    };
    for (const auto& c : devices)
      if (c.parent == d->name) add(&c);
    for (const auto& h : d->holders)
      if (const auto* c = by_name(h)) add(c);
  }
  return out;
}

}  // namespace s5j::volumes
