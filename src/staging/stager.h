// Stager: the staging layer's front door for a staged relay (source ->
// local volumes -> destination, both legs at once).
//
// A Stager owns the job's volumes, their space accounting and the index of
// staged files, and hands out:
//   reserve()        space on the best volume (SpaceManager: reserve
//                    high-water mark, optional per-volume limit, Full /
//                    back-pressure / TooLarge)
//   create_writer()  a StagedWriter for ledger id `id` on that volume
//   open_reader()    a StagedReader of the current staged copy of `id`
//   remove()         deletes the staged copies of `id`
//   scan(), discard_partials()   crash recovery
//   usage(), waiting_for_space() status
//
// Files live at <volume>/s5j-staging/<job>/<shard>/<id> (staging_layout.h):
// only configured volumes, the validated job name and numeric ids ever form
// a path, so no object key can make it touch anything outside those
// directories. Directories are created 0700, files 0600.
//
// open() validates every volume (StagingError naming the path and the fix)
// and indexes the complete staged files already there (a restart after a
// crash), counting them as staged bytes. Leftover .part files are listed
// by scan() and removed by discard_partials(); they are not indexed.
// Deletions are not fsync'd: a deletion lost to a power cut leaves a file
// that the next scan finds and the ledger says to delete again.
//
// Thread safety: every method may be called from any thread.
// Ownership: the Stager must outlive its writers and reservations (readers
// are independent once open).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/error.h"
#include "checksum/multi_hasher.h"
#include "staging/fs_stats.h"
#include "staging/group_sync.h"
#include "staging/recovery_scan.h"
#include "staging/reservation.h"
#include "staging/space_manager.h"
#include "staging/staged_file.h"
#include "staging/staged_reader.h"
#include "staging/staged_writer.h"
#include "staging/staging_layout.h"

namespace s5j::staging {

// From config::StagingConfig (volumes, volume_pattern, reserve_bytes) and
// Config::job; the rest are for tests and special set-ups.
struct StagingOptions {
  std::vector<std::string> volumes;             // explicit directories; empty: discover
  std::string volume_pattern = "/tmp/volume-";  // discovery: PATTERN01 ... PATTERN99
  std::string job = "default";                  // one directory level per job
  uint64_t reserve_bytes = 1ull << 30;          // keep this much free on each filesystem
  uint64_t volume_limit_bytes = 0;              // bytes the job may use per volume; 0 = none
  checksum::ChecksumSelection checksums;        // computed for every staged file (MD5 + CRC32C)
  FsStatsFn fs_stats;                           // empty: statvfs
  PwriteFn pwrite;                              // empty: pwrite(2)
  SyncFsFn sync_fs;                             // empty: syncfs(2) (see GroupSync)
  std::chrono::milliseconds space_recheck_interval{1000};  // see SpaceOptions
  std::function<void(uint64_t bytes)> on_space_wait;       // see SpaceOptions::on_wait
};

// Where the current copy of an id is.
struct StagedLocation {
  size_t volume_index = 0;
  std::string path;
  uint64_t size = 0;
};

class Stager {
 public:
  static Result<std::unique_ptr<Stager>> open(StagingOptions options);
  Stager(const Stager&) = delete;
  Stager& operator=(const Stager&) = delete;

  const std::vector<std::string>& volumes() const { return volumes_; }
  const std::string& job() const { return job_; }
  checksum::ChecksumSelection checksum_selection() const { return checksums_; }

  // See SpaceManager::reserve.
  Result<Reservation> reserve(uint64_t bytes, WaitMode mode, std::stop_token stop = {});

  // A writer for `id` (> 0) of exactly reservation.bytes() bytes on the
  // reservation's volume; takes over the reservation (released if this
  // fails). A leftover .part of the id there is replaced. InvalidArgument
  // when the id is already being written or the reservation is not from
  // this stager.
  Result<std::unique_ptr<StagedWriter>> create_writer(StagedId id, Reservation reservation);

  // The current copy of `id` (the last committed; after a restart the
  // newest found). StagedNotFound when there is none.
  Result<StagedReader> open_reader(StagedId id) const;
  std::optional<StagedLocation> find(StagedId id) const;

  // As open_reader(), but when this process's index does not know `id`
  // (another process staged it after open(), e.g. a separate `s5j stage`
  // feeding this `s5j drain`), looks for <id> on every volume, opens the
  // first found (O_NOFOLLOW) and indexes it, counted as staged bytes.
  Result<StagedReader> open_reader_anywhere(StagedId id);

  // Deletes every staged copy of `id` on every volume (not a .part being
  // written). Idempotent: nothing to delete is success.
  Status remove(StagedId id);

  // Brings the index and the space accounting up to date with the disk,
  // for files another process staged or removed since open(): complete
  // files not indexed are added, indexed copies gone from disk are dropped
  // (their space given back, which wakes blocked reserve() calls). Each
  // difference is confirmed with lstat under the lock, so a write this
  // process commits meanwhile is never dropped. Returns the number of
  // changes.
  Result<size_t> refresh();

  // Fresh listing from disk (recovery_scan.h).
  Result<ScanResult> scan() const;
  // Deletes the .part files scan() finds, except those of writers in
  // progress in this process; returns how many were deleted.
  Result<size_t> discard_partials();

  std::vector<VolumeUsage> usage() const { return space_->usage(); }
  bool waiting_for_space() const { return space_->waiting_for_space(); }

 private:
  friend class StagedWriter;
  struct Copy {
    size_t volume = 0;
    uint64_t size = 0;
  };

  Stager(StagingOptions options, std::vector<std::string> volumes, std::unique_ptr<SpaceManager> space,
         std::vector<std::unique_ptr<GroupSync>> syncs);
  // Called by a writer after its file was renamed into place.
  void writer_committed(StagedId id, size_t volume, uint64_t size, Reservation& reservation);
  // Called once by a writer when it stops (committed, failed or aborted).
  void writer_closed(StagedId id);
  // Returns once what was written on the volume before the call is on disk.
  Status make_durable(size_t volume) { return syncs_[volume]->wait_durable(); }

  const std::string job_;
  const checksum::ChecksumSelection checksums_;
  const PwriteFn pwrite_;
  const std::vector<std::string> volumes_;
  const std::unique_ptr<SpaceManager> space_;
  const std::vector<std::unique_ptr<GroupSync>> syncs_;  // one per volume

  mutable std::mutex mutex_;
  std::unordered_map<StagedId, std::vector<Copy>> index_;  // guarded by mutex_; [0] is the current copy
  std::unordered_set<StagedId> writing_;                   // guarded by mutex_: ids with a live writer
};

}  // namespace s5j::staging
