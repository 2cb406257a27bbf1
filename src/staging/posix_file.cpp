#include "staging/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "staging/staging_error.h"

namespace s5j::staging {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = o.release();
  }
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset() {
  // close() errors are not actionable here: data that matters was fsync'd
  // (and checked) before the descriptor is dropped.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status fsync_dir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return io_error("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return io_error("cannot fsync directory", dir, errno);
  return {};
}

Status ensure_dir(const std::string& dir, const std::string& parent) {
  if (::mkdir(dir.c_str(), 0700) == 0) return fsync_dir(parent);
  const int err = errno;
  if (err != EEXIST) return io_error("cannot create directory", dir, err);
  struct stat st {};
  // lstat: a symlink planted where a staging directory belongs is refused,
  // not followed.
  if (::lstat(dir.c_str(), &st) != 0) return io_error("cannot stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return io_error("not a directory:", dir, ENOTDIR);
  return {};
}

int unlink_in_dir(const std::string& dir, const std::string& name) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno;
  if (::unlinkat(fd.get(), name.c_str(), 0) != 0) return errno;
  return 0;
}

Result<size_t> pread_full(int fd, std::span<unsigned char> out, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<checksum::Checksums> hash_file(int fd, uint64_t size, checksum::ChecksumSelection selection,
                                      const std::string& path) {
  auto hasher = checksum::MultiHasher::create(selection);
  if (!hasher) return std::unexpected(hasher.error());
  // Large sequential reads; the kernel's readahead does the rest.
  std::vector<unsigned char> buf(1 << 20);
  uint64_t offset = 0;
  while (offset < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - offset));
    auto got = pread_full(fd, std::span(buf.data(), want), offset, path);
    if (!got) return std::unexpected(got.error());
    if (*got < want) {
      return staging_error(ErrorKind::permanent, kStagedCorrupt,
                           "staged file " + path + " is shorter than its recorded size " + std::to_string(size) +
                               " (restage the object)");
    }
    hasher->update(std::span<const unsigned char>(buf.data(), want));
    offset += want;
  }
  return hasher->finish();
}

}  // namespace s5j::staging
