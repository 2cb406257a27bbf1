// StagedWriter: writes one object's bytes into a staged file, durably.
//
// Created by Stager::create_writer(id, reservation); the file is
// <volume>/s5j-staging/<job>/<shard>/<id>.part (mode 0600) on the
// reservation's volume, and its size is the reservation's bytes.
//
// Writes: write_at() puts a range at an offset (pwrite), from any number of
// threads at once (ranged GETs in parallel); append() is the sequential
// shorthand for one stream. Ranges may overlap (a retried range) and
// arrive in any order; a write past the end is InvalidArgument.
// Checksums: while every write lands exactly where the previous one ended,
// the bytes are hashed as they pass (no second read). The first write
// anywhere else switches to a sequential read pass over the whole file at
// commit. StagedFile::hashed_while_writing says which one happened.
// commit(): every byte in [0, size) must have been written (holes are
// InvalidArgument, and the writer stays usable); then the data is made
// durable, checksums, rename(".part" -> final) and the new name made
// durable, so after a power cut either the complete file or only the .part
// exists. Both syncs are group syncs of the volume (GroupSync), shared with
// the writers committing at the same time. The reservation turns
// into staged bytes, and older copies of the same id on other volumes are
// deleted (the new copy supersedes them).
// Failure: any failed write, sync or rename (ENOSPC: DiskFull; others:
// StagingIoError) ends the writer: the .part is removed and the reservation
// released at once; later calls return that error. Destroying a writer that
// was not committed does the same (abort).
//
// Thread safety: write_at() from many threads; append() from one thread at
// a time; commit()/abort() only after every write call has returned.
// Ownership: the Stager must outlive its writers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "checksum/multi_hasher.h"
#include "staging/posix_file.h"
#include "staging/reservation.h"
#include "staging/staged_file.h"

namespace s5j::staging {

class Stager;

// pwrite(2) behind a function, so tests can inject ENOSPC mid-write.
using PwriteFn = std::function<ssize_t(int fd, const void* buf, size_t count, off_t offset)>;

class StagedWriter {
 public:
  StagedWriter(const StagedWriter&) = delete;
  StagedWriter& operator=(const StagedWriter&) = delete;
  ~StagedWriter();  // abort() unless committed

  StagedId id() const { return id_; }
  uint64_t size() const { return size_; }
  size_t volume_index() const { return volume_index_; }
  const std::string& part_path() const { return part_path_; }
  const std::string& final_path() const { return final_path_; }

  Status write_at(uint64_t offset, std::span<const unsigned char> data);
  Status write_at(uint64_t offset, std::string_view data);
  Status append(std::span<const unsigned char> data);
  Status append(std::string_view data);

  Result<StagedFile> commit();
  // Removes the .part and releases the reservation; idempotent.
  void abort();

 private:
  friend class Stager;
  StagedWriter(Stager& stager, StagedId id, Reservation reservation, std::string dir, std::string part_path,
               std::string final_path, UniqueFd fd, checksum::MultiHasher hasher, PwriteFn pwrite);

  std::unexpected<Error> fail(Error error);
  std::unexpected<Error> closed_error();
  void close_and_discard();
  Result<StagedFile> finish_locked(bool hashed_in_order);

  Stager& stager_;
  const StagedId id_;
  const uint64_t size_;
  const size_t volume_index_;
  const std::string volume_;
  const std::string dir_;
  const std::string part_path_;
  const std::string final_path_;
  const PwriteFn pwrite_;

  // Shared while a pwrite is in progress, exclusive to close the file, so
  // the descriptor is never closed (and its number reused) under a write.
  std::shared_mutex fd_mutex_;
  UniqueFd fd_;               // guarded by fd_mutex_
  Reservation reservation_;   // guarded by fd_mutex_ (exclusive)
  bool closed_ = false;       // guarded by fd_mutex_

  std::mutex state_mutex_;
  std::map<uint64_t, uint64_t> written_;  // guarded by state_mutex_: disjoint [start, end) ranges
  uint64_t hashed_upto_ = 0;              // guarded by state_mutex_
  bool in_order_ = true;                  // guarded by state_mutex_
  checksum::MultiHasher hasher_;          // guarded by state_mutex_
  std::optional<Error> failed_;           // guarded by state_mutex_
  bool committing_ = false;               // guarded by state_mutex_

  uint64_t append_offset_ = 0;  // append() only (single caller)
};

}  // namespace s5j::staging
