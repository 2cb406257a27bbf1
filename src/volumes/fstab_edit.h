// Editing an fstab file: s5j's lines added and removed, everything else
// (comments, other filesystems, blank lines) kept byte for byte.
//
// The text functions are pure and idempotent: adding a line that is
// already there changes nothing, and a line for the same UUID or the same
// mount point is replaced (a volume formatted again gets a new UUID);
// removing lines that are not there changes nothing.
//
// Thread safety: free functions; write_fstab replaces the file atomically
// (a temporary file in the same directory, fsync, rename), keeping its mode.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace s5j::volumes {

// `text` with `line` (an fstab entry) in it.
std::string fstab_with_line(std::string_view text, std::string_view line);

// `text` without the entries whose first field is in `specs` or whose
// second (mount point) is in `mount_points`.
std::string fstab_without(std::string_view text, const std::set<std::string>& specs,
                          const std::set<std::string>& mount_points);

// The mount points of the entries (second fields, \040 decoded).
std::vector<std::string> fstab_mount_points(std::string_view text);

struct FstabEntry {
  std::string spec;         // "UUID=...", "/dev/sdb", "LABEL=..."
  std::string mount_point;  // \040 decoded
};
std::vector<FstabEntry> fstab_entries(std::string_view text);

// The file's text; a missing file reads as empty.
Result<std::string> read_fstab(const std::string& path);
Status write_fstab(const std::string& path, std::string_view text);

}  // namespace s5j::volumes
