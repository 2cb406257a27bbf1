// VolumeLock: one ledger's claim on a job's staging directories, so that two
// ledgers can never stage into, or drain from, one volume directory at once.
//
// Two runs of one job name through two different ledgers (two config files
// with the same job, a ledger.path that changed, a copy of the ledger) would
// otherwise share <volume>/s5j-staging/<job>/: each would delete the other's
// staged files as leftovers no record wants. The job lock inside a ledger
// cannot see the other ledger; a lock file on the volume can.
//
//   <volume>/s5j-staging/<job>/s5j-job.lock   holds `owner` (one line)
//
// A run holds a shared flock(2) on the lock file of every volume while it
// stages or drains; `stage` and `drain` of the same ledger (same owner) hold
// it side by side. A run whose owner differs from the file's is refused
// (StagingError naming the other ledger and the fix) while any process
// holds the lock; when none does, the previous owner's runs are over and
// the file is taken over (the ledger moved with its volumes, as the relay
// documents for stage-now-drain-later). flock locks end with the process,
// so a crash leaves nothing to break by hand.
//
// Thread safety: acquire() is a free-standing call; the returned object only
// holds file descriptors until destroyed.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace s5j::staging {

inline constexpr std::string_view kVolumeLockName = "s5j-job.lock";

class VolumeLock {
 public:
  // `owner` identifies the ledger's job (what is compared); `description`
  // says where it lives, for the refusal message. Creates the job's
  // directory on each volume when missing. Volumes that do not exist are
  // skipped (opening the stager reports them).
  static Result<std::unique_ptr<VolumeLock>> acquire(const std::vector<std::string>& volumes, std::string_view job,
                                                     std::string_view owner, std::string_view description);
  ~VolumeLock();
  VolumeLock(const VolumeLock&) = delete;
  VolumeLock& operator=(const VolumeLock&) = delete;

  // The previous owners taken over (one line each: the volume and the
  // owner it held before), for a warning in the run's log.
  const std::vector<std::string>& taken_over() const { return taken_over_; }

 private:
  VolumeLock() = default;
  std::vector<int> fds_;
  std::vector<std::string> taken_over_;
};

}  // namespace s5j::staging
