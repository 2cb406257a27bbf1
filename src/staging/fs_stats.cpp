#include "staging/fs_stats.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>

#include "staging/staging_error.h"

namespace s5j::staging {

Result<FsStats> system_fs_stats(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return io_error("cannot read free space of", path, errno);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error("cannot stat", path, errno);
  FsStats out;
  // f_frsize is the unit of the block counts (f_bsize is only the preferred
  // I/O size); f_bavail excludes the root-reserved blocks, which a
  // privileged run could eat into but should not.
  out.total_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  out.available_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  out.device = static_cast<uint64_t>(st.st_dev);
  return out;
}

}  // namespace s5j::staging
