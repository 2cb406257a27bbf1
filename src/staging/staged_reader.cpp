#include "staging/staged_reader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "staging/staging_error.h"

namespace s5j::staging {
namespace {

std::unexpected<Error> corrupt(const std::string& path, const std::string& what) {
  return staging_error(ErrorKind::permanent, kStagedCorrupt,
                       "staged file " + path + " changed on disk: " + what + " (restage the object)");
}

}  // namespace

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

Status StagedReader::verify(const checksum::Checksums& expected) const {
  if (size_ != expected.bytes) {
    return corrupt(path_, "size " + std::to_string(size_) + ", recorded " + std::to_string(expected.bytes));
  }
  const checksum::ChecksumSelection selection{
      .md5 = expected.md5.has_value(), .crc32c = expected.crc32c.has_value(), .crc32 = expected.crc32.has_value()};
  if (!selection.md5 && !selection.crc32c && !selection.crc32) return {};
  auto actual = compute_checksums(selection);
  if (!actual) return std::unexpected(actual.error());
  if (expected.md5 && actual->md5 != expected.md5) {
    return corrupt(path_, "MD5 " + actual->md5_hex() + ", recorded " + expected.md5_hex());
  }
  if (expected.crc32c && actual->crc32c != expected.crc32c) {
    return corrupt(path_, "CRC32C " + actual->crc32c_base64() + ", recorded " + expected.crc32c_base64());
  }
  if (expected.crc32 && actual->crc32 != expected.crc32) {
    return corrupt(path_, "CRC32 " + actual->crc32_base64() + ", recorded " + expected.crc32_base64());
  }
  return {};
}

}  // namespace s5j::staging
