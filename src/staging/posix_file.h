// Small POSIX helpers shared by the staging layer (internal: not for other
// layers). Every failure is an io_error naming the path.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/error.h"
#include "checksum/multi_hasher.h"

namespace s5j::staging {

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset();

 private:
  int fd_ = -1;
};

// fsync of a directory, so a rename/create/unlink in it survives power loss.
Status fsync_dir(const std::string& dir);

// Creates `dir` (mode 0700) if it does not exist and then fsyncs `parent`
// so the new entry is durable. An existing non-directory is an error.
Status ensure_dir(const std::string& dir, const std::string& parent);

// Removes `name` from directory `dir` without following a symlink at
// `dir` itself (a shard directory replaced by a link is refused: ELOOP or
// ENOTDIR). Returns 0 or the errno; ENOENT for a missing dir or name.
int unlink_in_dir(const std::string& dir, const std::string& name);

// Reads exactly out.size() bytes at `offset` unless the file ends first;
// returns the count read. Retries EINTR and short reads.
Result<size_t> pread_full(int fd, std::span<unsigned char> out, uint64_t offset, const std::string& path);

// One sequential pass over bytes [0, size) of `fd`, hashed with
// `selection`. A file shorter than `size` is StagedCorrupt.
Result<checksum::Checksums> hash_file(int fd, uint64_t size, checksum::ChecksumSelection selection,
                                      const std::string& path);

}  // namespace s5j::staging
