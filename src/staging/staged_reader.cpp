#include "staging/staged_reader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "staging/staging_error.h"

namespace s5j::staging {
Result<StagedReader> StagedReader::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ENOENT) {
      return staging_error(ErrorKind::permanent, kStagedNotFound, "staged file " + path + " does not exist");
    }
    return io_error("cannot open", path, err);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return io_error("not a regular file:", path, EINVAL);
  return StagedReader(std::move(fd), path, static_cast<uint64_t>(st.st_size));
}

Result<size_t> StagedReader::read_at(uint64_t offset, std::span<unsigned char> out) const {
  return pread_full(fd_.get(), out, offset, path_);
}

Result<checksum::Checksums> StagedReader::compute_checksums(checksum::ChecksumSelection selection) const {
  return hash_file(fd_.get(), size_, selection, path_);
}

}  // namespace s5j::staging
