// What every leg of a run shares: the ledger and its group commit, the run
// (job, owner), the event log, the clock, and the run's tally. The run
// driver (RunDriver) owns the parts and hands each leg this view.
//
// Thread safety: RunTally is safe from any thread; the rest are references
// to thread-safe parts.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "transfer/group_commit.h"
#include "transfer/job_run.h"
#include "transfer/latency_tally.h"

namespace s5j::transfer {

// The figures of one run, counted by its legs; each kind of run reports the
// ones it needs (sync: copied = verified; relay: staged and verified).
class RunTally {
 public:
  std::atomic<uint64_t> planned_bytes{0};                // to move; a relisted object counts at its new size
  std::atomic<uint64_t> done_objects{0}, done_bytes{0};  // verified, failed or vanished
  std::atomic<uint64_t> staged_objects{0}, staged_bytes{0};
  std::atomic<uint64_t> verified_objects{0}, verified_bytes{0}, server_side_copies{0};
  std::atomic<uint64_t> downloaded_bytes{0}, uploaded_bytes{0};
  std::atomic<uint64_t> failed_objects{0}, vanished_objects{0}, changed_objects{0}, refetch_objects{0};
  std::atomic<uint64_t> space_waits{0};
  LatencyTally ledger_commits;  // each group commit's flush (GroupCommit)

  // Counts a failed object and keeps "key: error" for the first 20.
  void add_failure(const std::string& key, const std::string& error);
  std::vector<std::string> failures() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;  // guarded by mutex_
};

struct RunContext {
  ledger::Ledger& ledger;
  // The ledger's transition queue as an object's transfer uses it: its
  // synchronous calls (begin_upload, ...) ride out a ledger out of reach
  // (OutageRidingQueue).
  ledger::TransitionQueue& transitions;
  log::EventLog& events;
  const Clock& clock;
  JobRun& run;
  GroupCommit& committer;
  RunTally& tally;

  // Objects of the run's job in `states`, from the ledger's committed totals.
  Result<uint64_t> count_in(std::initializer_list<ledger::ObjectState> states) const;
};

}  // namespace s5j::transfer
