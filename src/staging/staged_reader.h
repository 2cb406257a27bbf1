// StagedReader: reads a staged file back for the upload leg.
//
// Opened by Stager::open_reader(id) (or open() on a path the stager
// produced). read_at() is pread, so many threads can read different ranges
// of one reader at once (parallel part uploads). Bytes that changed on disk
// are caught by the reader's caller, which hashes what it reads (the drain
// leg's uploader).
//
// Ownership: owns the descriptor; move-only. Independent of the Stager once
// open (the file may even be removed meanwhile; the open descriptor keeps
// its bytes readable).
// Thread safety: all const methods may run concurrently.
// Failure: StagedNotFound (no such file), StagingIoError, StagedCorrupt.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/error.h"
#include "checksum/multi_hasher.h"
#include "staging/posix_file.h"

namespace s5j::staging {

class StagedReader {
 public:
  // Opens a regular file (a symlink is refused, not followed).
  static Result<StagedReader> open(const std::string& path);

  StagedReader(StagedReader&&) noexcept = default;
  StagedReader& operator=(StagedReader&&) noexcept = default;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // Reads up to out.size() bytes at `offset`; fewer only at end of file.
  Result<size_t> read_at(uint64_t offset, std::span<unsigned char> out) const;

  // One sequential pass over the whole file.
  Result<checksum::Checksums> compute_checksums(checksum::ChecksumSelection selection = {}) const;

 private:
  StagedReader(UniqueFd fd, std::string path, uint64_t size) : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}
  UniqueFd fd_;
  std::string path_;
  uint64_t size_ = 0;
};

}  // namespace s5j::staging
