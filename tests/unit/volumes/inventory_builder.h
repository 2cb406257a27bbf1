// Inventories built by hand for the pure rules and plans: no devices needed.
#pragma once

#include <string>

#include "volumes/block_device.h"

namespace s5j::volumes::test {

inline BlockDevice blank_disk(const std::string& name, uint64_t size = 100ull << 30) {
  BlockDevice d;
  d.name = name;
  d.path = "/dev/" + name;
  d.type = name.starts_with("loop") ? DeviceType::loop : DeviceType::disk;
  d.size_bytes = size;
  d.probed = true;
  d.model = "Amazon EC2 NVMe Instance Storage";
  return d;
}

inline BlockDevice s5j_volume(const std::string& name, int number, const std::string& fs = "ext4") {
  BlockDevice d = blank_disk(name);
  d.fs_type = fs;
  d.label = std::string(kLabelPrefix) + (number < 10 ? "0" : "") + std::to_string(number);
  d.uuid = "00000000-0000-4000-8000-0000000000" + std::string(number < 10 ? "0" : "") + std::to_string(number);
  return d;
}

inline BlockDevice partition_of(const BlockDevice& disk, int index) {
  BlockDevice p = blank_disk(disk.name + "p" + std::to_string(index), disk.size_bytes / 2);
  p.type = DeviceType::partition;
  p.parent = disk.name;
  return p;
}

}  // namespace s5j::volumes::test
