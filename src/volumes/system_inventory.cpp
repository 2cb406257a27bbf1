#include "volumes/system_inventory.h"

#include <blkid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "volumes/mount_table.h"
#include "volumes/volume_error.h"

namespace s5j::volumes {
namespace {

namespace fs = std::filesystem;

std::string read_trimmed(const fs::path& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  const size_t first = s.find_first_not_of(" \t");
  return first == std::string::npos ? std::string() : s.substr(first);
}

DeviceType type_of(const std::string& name, const fs::path& sys, unsigned major) {
  std::error_code ec;
  if (fs::exists(sys / "partition", ec)) return DeviceType::partition;
  if (name.starts_with("loop")) return DeviceType::loop;
  if (name.starts_with("zram")) return DeviceType::zram;
  if (name.starts_with("ram")) return DeviceType::ram;
  if (name.starts_with("dm-")) return DeviceType::device_mapper;
  if (name.starts_with("md")) return DeviceType::md;
  if (name.starts_with("sr") || major == 11) return DeviceType::rom;
  return DeviceType::disk;
}

struct ProbeDeleter {
  void operator()(blkid_probe p) const { blkid_free_probe(p); }
};

std::string probe_value(blkid_probe probe, const char* name) {
  const char* data = nullptr;
  size_t len = 0;
  if (blkid_probe_lookup_value(probe, name, &data, &len) != 0 || data == nullptr) return {};
  return std::string(data, strnlen(data, len));
}

// Filesystem (or other superblock: swap, LVM, RAID, LUKS) and partition
// table, from the device's bytes.
void probe(BlockDevice& d) {
  errno = 0;
  std::unique_ptr<blkid_struct_probe, ProbeDeleter> pr(blkid_new_probe_from_filename(d.path.c_str()));
  if (!pr) {
    d.probe_error = std::string("cannot read it: ") + std::strerror(errno ? errno : EIO) +
                    (errno == EACCES ? " (run as root)" : "");
    return;
  }
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
  blkid_probe_enable_partitions(pr.get(), 1);
  const int rc = blkid_do_safeprobe(pr.get());  // 0 found, 1 nothing, -2 contradicting signatures, -1 error
  if (rc == -1) {
    d.probe_error = "cannot read its first bytes";
    return;
  }
  d.probed = true;
  d.several_signatures = rc == -2;
  if (rc == 0) {
    d.fs_type = probe_value(pr.get(), "TYPE");
    d.label = probe_value(pr.get(), "LABEL");
    d.uuid = probe_value(pr.get(), "UUID");
    d.partition_table = probe_value(pr.get(), "PTTYPE");
  }
}

BlockDevice read_device(const fs::directory_entry& entry) {
  BlockDevice d;
  d.name = entry.path().filename().string();
  d.path = "/dev/" + d.name;
  const fs::path sys = entry.path();
  const std::string dev = read_trimmed(sys / "dev");
  std::sscanf(dev.c_str(), "%u:%u", &d.major, &d.minor);
  d.type = type_of(d.name, sys, d.major);
  d.size_bytes = std::strtoull(read_trimmed(sys / "size").c_str(), nullptr, 10) * 512;  // always 512-byte units
  d.read_only = read_trimmed(sys / "ro") == "1";
  d.model = read_trimmed(sys / "device" / "model");
  if (d.type == DeviceType::device_mapper) d.model = read_trimmed(sys / "dm" / "name");
  if (d.type == DeviceType::loop) d.backing_file = read_trimmed(sys / "loop" / "backing_file");
  std::error_code ec;
  if (d.type == DeviceType::partition) d.parent = fs::canonical(sys, ec).parent_path().filename().string();
  for (const auto& h : fs::directory_iterator(sys / "holders", ec)) d.holders.push_back(h.path().filename().string());
  std::sort(d.holders.begin(), d.holders.end());
  return d;
}

bool natural_less(const std::string& a, const std::string& b) {
  // vda, vdb, ..., vdz, vdaa; loop2 before loop10.
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i] && !std::isdigit(static_cast<unsigned char>(a[i]))) ++i;
  auto digits_at = [](const std::string& s, size_t i) {
    size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    return j - i;
  };
  const size_t da = digits_at(a, i), db = digits_at(b, i);
  if (da > 0 && db > 0 && da != db) return da < db;
  return a < b;
}

}  // namespace

Result<Inventory> read_inventory() {
  auto mounts = read_mount_table();
  if (!mounts) return std::unexpected(mounts.error());
  Inventory inv;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/class/block", ec)) {
    BlockDevice d = read_device(entry);
    if (d.type == DeviceType::loop && d.backing_file.empty()) continue;  // a detached loop device: nothing there
    if (d.size_bytes > 0 && d.type != DeviceType::rom) probe(d);
    inv.devices.push_back(std::move(d));
  }
  if (ec) return volume_error("cannot list /sys/class/block (" + ec.message() + "): is /sys mounted?");
  std::sort(inv.devices.begin(), inv.devices.end(),
            [](const BlockDevice& a, const BlockDevice& b) { return natural_less(a.name, b.name); });

  auto mark = [&](unsigned major, unsigned minor) -> BlockDevice* {
    for (auto& d : inv.devices)
      if (d.major == major && d.minor == minor) return &d;
    return nullptr;
  };
  for (const auto& m : *mounts) {
    BlockDevice* d = mark(m.major, m.minor);
    if (!d) continue;
    if (std::find(d->mount_points.begin(), d->mount_points.end(), m.mount_point) == d->mount_points.end())
      d->mount_points.push_back(m.mount_point);
    if (m.mount_point == "/") d->root = true;
  }
  struct stat root {};
  if (::stat("/", &root) == 0)
    if (BlockDevice* d = mark(::major(root.st_dev), ::minor(root.st_dev))) d->root = true;
  for (const auto& path : read_swap_devices()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode))
      if (BlockDevice* d = mark(::major(st.st_rdev), ::minor(st.st_rdev))) d->swap = true;
  }
  return inv;
}

Result<const BlockDevice*> resolve_device(const Inventory& inventory, const std::string& arg) {
  const std::string path = arg.find('/') == std::string::npos ? "/dev/" + arg : arg;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return volume_error(arg + " does not exist (name a device such as /dev/nvme1n1: see s5j volumes list)");
    return volume_error(arg + " cannot be examined: " + std::strerror(errno));
  }
  if (!S_ISBLK(st.st_mode))
    return volume_error(arg + " is not a block device (name a disk such as /dev/nvme1n1: see s5j volumes list)");
  const BlockDevice* d = inventory.by_number(::major(st.st_rdev), ::minor(st.st_rdev));
  if (!d) return volume_error(arg + " is not a block device this machine lists in /sys/class/block (see s5j volumes list)");
  return d;
}

}  // namespace s5j::volumes
