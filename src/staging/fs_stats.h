// FsStats: what the space accounting needs to know about a volume's
// filesystem, behind an injectable function so tests can simulate a disk
// filling up (or two volumes sharing one disk).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/error.h"

namespace s5j::staging {

struct FsStats {
  uint64_t total_bytes = 0;      // size of the filesystem
  uint64_t available_bytes = 0;  // free to an unprivileged writer (statvfs f_bavail)
  // Identity of the filesystem: volumes with the same device share their
  // free space, so their in-flight reservations are counted together.
  uint64_t device = 0;
};

// Must be thread-safe; called with the space manager's lock held, so it
// must not call back into the stager.
using FsStatsFn = std::function<Result<FsStats>(const std::string& path)>;

// statvfs(2) for the sizes, stat(2) st_dev for the device. Errors:
// StagingIoError naming the path.
Result<FsStats> system_fs_stats(const std::string& path);

}  // namespace s5j::staging
