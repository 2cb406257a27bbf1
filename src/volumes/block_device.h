// The block devices of a machine as s5j sees them: one record per device
// (whole disks, partitions, loop, ram, device-mapper ...), what its first
// bytes say (filesystem, label, UUID, partition table: libblkid), and where
// it is in use (mounted, swap, the root filesystem, devices built on it).
//
// An Inventory is plain data: system_inventory.h reads the real one; the
// rules (device_rules.h) and the plan (setup_plan.h) are pure functions of
// it, so tests build inventories by hand.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s5j::volumes {

// Every filesystem s5j formats carries a label "s5j-vol-NN" (NN: the mount
// number it was made for). 10 characters: XFS allows 12, ext4 16. A device
// with an ext4/xfs filesystem so labelled is an s5j staging volume: setup
// mounts it again without formatting.
inline constexpr std::string_view kLabelPrefix = "s5j-vol-";

enum class DeviceType { disk, partition, loop, ram, zram, rom, device_mapper, md, other };
std::string_view to_string(DeviceType type);

struct BlockDevice {
  std::string name;   // kernel name: "nvme1n1", "loop3", "vda1"
  std::string path;   // "/dev/nvme1n1"
  DeviceType type = DeviceType::other;
  unsigned major = 0, minor = 0;
  uint64_t size_bytes = 0;
  std::string model;  // empty when the kernel gives none
  bool read_only = false;
  std::string parent;                // a partition's whole disk (kernel name), else empty
  std::vector<std::string> holders;  // kernel names of devices built on it (dm, md, LVM)
  std::string backing_file;          // a loop device's file

  // What its first bytes say (libblkid low-level probe).
  bool probed = false;               // false: probe_error says why (e.g. not root)
  std::string probe_error;
  std::string fs_type;               // "ext4", "xfs", "swap", "LVM2_member", "crypto_LUKS" ...
  std::string label;
  std::string uuid;
  std::string partition_table;       // "gpt", "dos" ...
  bool several_signatures = false;   // signatures that contradict each other

  // Where it is used now.
  std::vector<std::string> mount_points;
  bool swap = false;
  bool root = false;                 // the filesystem mounted at / is on it

  bool is_s5j_volume() const;        // ext4/xfs labelled s5j-vol-*
  int label_number() const;          // NN of s5j-vol-NN, or 0
};

struct Inventory {
  std::vector<BlockDevice> devices;

  const BlockDevice* by_name(std::string_view name) const;
  const BlockDevice* by_number(unsigned major, unsigned minor) const;
  // Partitions of `device` and the devices built on it, recursively.
  std::vector<const BlockDevice*> descendants(const BlockDevice& device) const;
};

}  // namespace s5j::volumes
