// SpaceManager: placement and space accounting over the staging volumes.
//
// Room on a volume for a new write of B bytes requires both:
//   * filesystem: available (statvfs, via FsStatsFn) - reserve_bytes
//     - bytes reserved by writes in flight on every volume of the same
//     filesystem (same FsStats::device) >= B. Bytes an in-flight write has
//     already put on disk are counted twice (in statvfs and in its
//     reservation) until it finishes: conservative, never overfills.
//   * volume limit (optional, volume_limit_bytes > 0): staged + reserved
//     bytes of this job on the volume + B <= the limit.
// Placement: of the volumes with room, the one with the fewest writes in
// flight, then the most room, then the lowest index, so every disk gets
// work at once and the emptier ones get more.
// TooLarge: B exceeds what any volume could ever give this job (its
// available space plus everything this job holds on that filesystem, less
// the reserve, capped by the limit) — reported up front, never attempted.
// When nothing has room: fail_fast returns Full; block waits until space
// is released (a reservation ends, a staged file is removed), or every
// recheck_interval for space freed by others, or until the caller's stop
// token (Cancelled).
//
// Thread safety: every method may be called from any thread. FsStatsFn is
// called with the internal lock held (so a free-space figure and the
// reservations it is compared with are one consistent snapshot).
// Ownership: must outlive every Reservation it hands out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "base/error.h"
#include "staging/fs_stats.h"
#include "staging/reservation.h"

namespace s5j::staging {

enum class WaitMode {
  fail_fast,  // no room now: Full
  block,      // no room now: wait (back-pressure)
};

struct SpaceOptions {
  uint64_t reserve_bytes = 1ull << 30;  // keep this much free on each filesystem
  uint64_t volume_limit_bytes = 0;      // bytes this job may use per volume; 0 = no limit
  FsStatsFn fs_stats;                   // empty: system_fs_stats
  // How often a blocked reserve() looks again for space freed outside the
  // stager (another process deleting files); releases wake it at once.
  std::chrono::milliseconds recheck_interval{1000};
  // Called (without locks held) when a reserve() call starts waiting for
  // space, with the bytes it wants: for a status line or a log event.
  std::function<void(uint64_t bytes)> on_wait;
};

// One volume's figures for status output.
struct VolumeUsage {
  std::string path;
  uint64_t total_bytes = 0;     // filesystem size
  uint64_t free_bytes = 0;      // filesystem available space
  uint64_t usable_bytes = 0;    // the largest reservation it would grant now
  uint64_t staged_bytes = 0;    // complete staged files of this job
  uint64_t reserved_bytes = 0;  // reservations of writes in flight
  uint64_t limit_bytes = 0;     // 0 = no per-volume limit
  uint32_t writes_in_flight = 0;
  std::string error;            // why its stats could not be read; empty when fine
};

class SpaceManager {
 public:
  // Reads every volume's stats once (for its device). Fails with the
  // FsStatsFn's error, or StagingError when `volumes` is empty.
  static Result<std::unique_ptr<SpaceManager>> create(std::vector<std::string> volumes, SpaceOptions options);
  SpaceManager(const SpaceManager&) = delete;
  SpaceManager& operator=(const SpaceManager&) = delete;

  const std::string& volume(size_t index) const { return volumes_[index].path; }

  // Space for a write of `bytes` on the best volume (see above). Errors:
  // TooLarge, Full (fail_fast), Cancelled (`stop`), or the
  // FsStatsFn's error when no volume's stats can be read.
  Result<Reservation> reserve(uint64_t bytes, WaitMode mode, std::stop_token stop = {});

  // The write holding `reservation` (from this manager) completed: its bytes
  // become staged bytes of its volume and it stops being in flight.
  void commit(Reservation& reservation);
  // Staged files appearing (found at start-up) or going away (removed);
  // removal wakes waiters.
  void add_staged(size_t volume, uint64_t bytes);
  void remove_staged(size_t volume, uint64_t bytes);

  std::vector<VolumeUsage> usage() const;
  // True while at least one reserve() call is blocked waiting for space.
  bool waiting_for_space() const;

 private:
  friend class Reservation;
  struct VolumeState {
    std::string path;
    uint64_t device = 0;
    uint64_t staged = 0;    // guarded by mutex_
    uint64_t reserved = 0;  // guarded by mutex_
    uint32_t in_flight = 0; // guarded by mutex_
  };
  struct Room {
    bool ok = false;
    FsStats stats;
    std::string error;
    uint64_t room = 0;      // grantable now
    uint64_t capacity = 0;  // grantable if this job's bytes there were gone
  };

  SpaceManager(std::vector<VolumeState> volumes, SpaceOptions options);
  void release(size_t volume, uint64_t bytes);
  std::vector<Room> evaluate_locked() const;
  void changed_locked();

  std::vector<VolumeState> volumes_;
  const SpaceOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable_any cv_;
  uint64_t generation_ = 0;  // guarded by mutex_; bumped whenever space may have been freed
  uint32_t waiters_ = 0;     // guarded by mutex_
};

}  // namespace s5j::staging
