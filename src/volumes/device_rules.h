// Which block devices s5j may turn into staging volumes, as pure functions
// of an Inventory (tests build one by hand).
//
// A device is
//   free        a whole device (not a partition) with no partition table,
//               no filesystem or other signature, not read-only, not
//               mounted, not swap, not under /, nothing built on it (dm,
//               md, LVM), and none of that true of its partitions either;
//   s5j_volume  an ext4/xfs filesystem labelled s5j-vol-NN (block_device.h):
//               setup mounts it again without formatting, keeping its data;
//   in_use      anything else, with the reason.
//
// refusal_for() is setup's rule for one device, in this order (the first
// that applies is the one line printed): an s5j volume already mounted is
// accepted (setup has nothing to do for it); holds / ; swap; mounted;
// devices built on it; read-only; a partition (s5j formats whole disks);
// cannot be probed; smaller than the minimum; then a partition table,
// contradicting signatures or a filesystem that is not s5j's — these last
// three only unless the device is named again with --wipe. The root, swap,
// mounted and built-upon cases are never overridden. Each of them also
// holds when it is true of one of the device's partitions or of a device
// built on it.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "volumes/block_device.h"

namespace s5j::volumes {

enum class DeviceState { free, in_use, s5j_volume };
std::string_view to_string(DeviceState state);

struct DeviceVerdict {
  DeviceState state = DeviceState::in_use;
  std::string reason;  // why in_use ("mounted at /data", "has a gpt partition table", ...)
};

DeviceVerdict classify(const Inventory& inventory, const BlockDevice& device);

inline constexpr uint64_t kDefaultMinimumSize = 1ull << 30;  // 1 GiB

struct SetupRules {
  uint64_t minimum_size = kDefaultMinimumSize;
  std::vector<std::string> wipe;  // kernel names of the devices named by --wipe
};

// nullopt: setup may use the device. Else one line: "DEV REASON (FIX)".
std::optional<std::string> refusal_for(const Inventory& inventory, const BlockDevice& device, const SetupRules& rules);

// What --all-free picks: free devices and s5j volumes that are not mounted,
// at least the minimum size, never loop, ram, zram or rom devices (those
// only when named with --device).
std::vector<const BlockDevice*> pick_all_free(const Inventory& inventory, const SetupRules& rules);

}  // namespace s5j::volumes
