// The kernel's mount table and swap list, parsed (pure) and read
// (/proc/self/mountinfo, /proc/swaps).
//
// Thread safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace s5j::volumes {

struct MountEntry {
  unsigned major = 0, minor = 0;  // st_dev of the mounted filesystem
  std::string mount_point;        // octal escapes (\040 ...) decoded
  std::string fs_type;
  std::string source;             // "/dev/vdb", "tmpfs" ...
};

// One entry per well-formed line of /proc/<pid>/mountinfo; malformed lines
// are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// The device paths of /proc/swaps whose type is "partition" (swap files
// live on a filesystem and make no device swap).
std::vector<std::string> parse_swap_devices(std::string_view text);

// "\040" -> " " and the other octal escapes the kernel writes.
std::string decode_octal_escapes(std::string_view text);

Result<std::vector<MountEntry>> read_mount_table();
std::vector<std::string> read_swap_devices();  // empty when /proc/swaps is unreadable

}  // namespace s5j::volumes
