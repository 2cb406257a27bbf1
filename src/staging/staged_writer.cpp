#include "staging/staged_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iterator>

#include "staging/stager.h"
#include "staging/staging_error.h"

namespace s5j::staging {
namespace {

// Merges [start, end) into a set of disjoint ranges.
void add_range(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end) {
  auto it = ranges.upper_bound(start);
  if (it != ranges.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= start) {
      start = prev->first;
      end = std::max(end, prev->second);
      ranges.erase(prev);
    }
  }
  while (it != ranges.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = ranges.erase(it);
  }
  ranges.emplace(start, end);
}

// The first byte not covered from 0 (== size when complete).
uint64_t covered_prefix(const std::map<uint64_t, uint64_t>& ranges) {
  if (ranges.empty() || ranges.begin()->first != 0) return 0;
  return ranges.begin()->second;
}

std::span<const unsigned char> bytes_of(std::string_view s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

}  // namespace

StagedWriter::StagedWriter(Stager& stager, StagedId id, Reservation reservation, std::string dir,
                           std::string part_path, std::string final_path, UniqueFd fd, checksum::MultiHasher hasher,
                           PwriteFn pwrite)
    : stager_(stager),
      id_(id),
      size_(reservation.bytes()),
      volume_index_(reservation.volume_index()),
      volume_(reservation.volume()),
      dir_(std::move(dir)),
      part_path_(std::move(part_path)),
      final_path_(std::move(final_path)),
      pwrite_(std::move(pwrite)),
      fd_(std::move(fd)),
      reservation_(std::move(reservation)),
      hasher_(std::move(hasher)) {}

StagedWriter::~StagedWriter() { abort(); }

Status StagedWriter::write_at(uint64_t offset, std::string_view data) { return write_at(offset, bytes_of(data)); }
Status StagedWriter::append(std::string_view data) { return append(bytes_of(data)); }

Status StagedWriter::append(std::span<const unsigned char> data) {
  auto ok = write_at(append_offset_, data);
  if (ok) append_offset_ += data.size();
  return ok;
}

Status StagedWriter::write_at(uint64_t offset, std::span<const unsigned char> data) {
  if (data.size() > size_ || offset > size_ - data.size()) {
    return staging_error(ErrorKind::permanent, kInvalidArgument,
                         "write of " + std::to_string(data.size()) + " bytes at offset " + std::to_string(offset) +
                             " is outside staged file " + part_path_ + " of " + std::to_string(size_) + " bytes");
  }
  int err = 0;
  {
    std::shared_lock lock(fd_mutex_);
    if (closed_) return closed_error();
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = pwrite_(fd_.get(), data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        break;
      }
      if (n == 0) {  // no progress and no errno: treat as an I/O error rather than spin
        err = EIO;
        break;
      }
      done += static_cast<size_t>(n);
    }
  }
  if (err != 0) return fail(io_error("cannot write", part_path_, err).error());

  std::lock_guard lock(state_mutex_);
  if (failed_) return std::unexpected(*failed_);
  if (data.empty()) return {};
  add_range(written_, offset, offset + data.size());
  // Hash on the fly only while the stream is strictly sequential; anything
  // else (parallel ranges, a retried range) means the file on disk is the
  // only truth, so commit reads it back.
  if (in_order_ && offset == hashed_upto_) {
    hasher_.update(data);
    hashed_upto_ += data.size();
  } else {
    in_order_ = false;
  }
  return {};
}

Result<StagedFile> StagedWriter::commit() {
  bool hashed_in_order = false;
  {
    std::lock_guard lock(state_mutex_);
    if (failed_) return std::unexpected(*failed_);
    if (committing_) {
      return staging_error(ErrorKind::permanent, kInvalidArgument, "staged file " + final_path_ + " already committed");
    }
    const uint64_t covered = covered_prefix(written_);
    if (covered < size_) {
      // A caller bug (a range never written), not an I/O failure: keep the
      // writer so the missing range can still be written.
      return staging_error(ErrorKind::permanent, kInvalidArgument,
                           "staged file " + part_path_ + " has unwritten bytes from offset " +
                               std::to_string(covered) + " (size " + std::to_string(size_) + ")");
    }
    committing_ = true;
    hashed_in_order = in_order_ && hashed_upto_ == size_;
  }
  Result<StagedFile> out;
  {
    std::unique_lock lock(fd_mutex_);
    if (closed_) return closed_error();
    out = finish_locked(hashed_in_order);
  }
  if (!out) return fail(out.error());
  return out;
}

Result<StagedFile> StagedWriter::finish_locked(bool hashed_in_order) {
  // Data first: the rename must never make a name point at bytes that a
  // power cut could still lose. A group sync of the volume, shared with
  // the writers committing at the same time, rather than an fsync each.
  if (auto durable = stager_.make_durable(volume_index_); !durable) return std::unexpected(durable.error());
  checksum::Checksums sums;
  if (hashed_in_order) {
    std::lock_guard lock(state_mutex_);
    sums = hasher_.finish();
  } else {
    auto read_back = hash_file(fd_.get(), size_, stager_.checksum_selection(), part_path_);
    if (!read_back) return std::unexpected(read_back.error());
    sums = *read_back;
  }
  if (::rename(part_path_.c_str(), final_path_.c_str()) != 0) return io_error("cannot rename", part_path_, errno);
  if (auto ok = stager_.make_durable(volume_index_); !ok) {  // the new name
    // The name may not survive a power cut; do not report a copy that may
    // vanish. The .part is already gone, so remove the final name instead.
    ::unlink(final_path_.c_str());
    return std::unexpected(ok.error());
  }
  fd_.reset();
  closed_ = true;
  StagedFile file;
  file.id = id_;
  file.volume_index = volume_index_;
  file.volume = volume_;
  file.path = final_path_;
  file.size = size_;
  file.checksums = sums;
  file.hashed_while_writing = hashed_in_order;
  stager_.writer_committed(id_, volume_index_, size_, reservation_);
  stager_.writer_closed(id_);
  return file;
}

void StagedWriter::abort() {
  {
    std::lock_guard lock(state_mutex_);
    if (!failed_) {
      failed_ = staging_error(ErrorKind::permanent, kInvalidArgument, "staged write " + part_path_ + " was aborted")
                    .error();
    }
  }
  close_and_discard();
}

std::unexpected<Error> StagedWriter::fail(Error error) {
  {
    std::lock_guard lock(state_mutex_);
    if (!failed_) failed_ = error;
  }
  close_and_discard();
  return std::unexpected(std::move(error));
}

std::unexpected<Error> StagedWriter::closed_error() {
  std::lock_guard lock(state_mutex_);
  if (failed_) return std::unexpected(*failed_);
  return staging_error(ErrorKind::permanent, kInvalidArgument, "staged file " + final_path_ + " is already committed");
}

void StagedWriter::close_and_discard() {
  {
    // Exclusive: waits for pwrites in progress on other threads.
    std::unique_lock lock(fd_mutex_);
    if (closed_) return;
    closed_ = true;
    fd_.reset();
    ::unlink(part_path_.c_str());
    reservation_.release();
  }
  stager_.writer_closed(id_);
}

}  // namespace s5j::staging
