// SyncEngine: one run of `s5j sync` — direct bucket-to-bucket transfer,
// verified, resumable after any crash.
//
// A run is the RunDriver's sequence (lock, recovery, planning, workers,
// group commit, summary) with one leg, CopyLeg: workers claim pending
// objects, copy each (ObjectCopier) and queue its transition. A source
// object that changed is listed again and copied as its new version in the
// same run; one deleted is recorded vanished.
//
// Stopping: request_stop() (SIGTERM/SIGINT) stops claiming and starting new
// parts; what is in flight finishes or is checkpointed (uploaded parts are
// in the ledger), leases are released, the ledger is flushed. The next run
// resumes exactly.
//
// Thread safety: run() once per engine; request_stop() and progress() from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "transfer/run_context.h"
#include "transfer/object_copier.h"
#include "transfer/planner.h"

namespace s5j::transfer {

struct SyncSettings {
  std::string job = "default";
  CopierSettings copier;
  int workers = 16;       // objects in flight
  int list_workers = 8;   // source key ranges listed at once
  int part_threads = 16;  // parts of large objects in flight, over all objects
  uint64_t memory_budget = 256ull << 20;
  bool dry_run = false;
  bool match_destination = true;
  std::chrono::milliseconds lease{std::chrono::minutes(5)};  // the CLI sets ledger.lease_timeout
  std::chrono::milliseconds flush_interval{100};
  std::chrono::milliseconds ledger_unavailable_limit{std::chrono::minutes(30)};
  uint32_t max_source_changes = 5;  // an object changing more often than this fails
  std::string command = "sync";     // for the run history
  std::string version = "0.1.0";    // of s5j, for the run history
};

// Live figures, for the progress line and status.
struct SyncProgress {
  uint64_t planned_objects = 0;
  uint64_t planned_bytes = 0;
  uint64_t done_objects = 0;  // verified, failed or vanished in this run
  uint64_t done_bytes = 0;
  uint64_t verified_objects = 0;
  uint64_t failed_objects = 0;
  bool planning = true;
  uint64_t listed_objects = 0;
};

struct SyncReport {
  PlanSummary plan;
  uint64_t copied_objects = 0;  // verified in this run by copying
  uint64_t copied_bytes = 0;
  uint64_t uploaded_bytes = 0;  // payload bytes sent to the destination
  uint64_t downloaded_bytes = 0;
  uint64_t server_side_copies = 0;
  uint64_t failed_objects = 0;
  uint64_t vanished_objects = 0;
  uint64_t changed_objects = 0;  // re-listed after changing during their copy
  std::vector<std::string> failures;  // "key: error" of the first failures
  bool stopped = false;               // request_stop() ended the run early
  std::chrono::milliseconds duration{0};
  bool complete() const { return failed_objects == 0 && !stopped; }
};

class SyncEngine {
 public:
  SyncEngine(SyncSettings settings, s3::S3Client& source, s3::S3Client& destination, ledger::Ledger& ledger,
             log::EventLog& events, const Clock& clock = SystemClock::instance());
  ~SyncEngine();

  // Errors: AlreadyRunning (lock held by another live run), LedgerError,
  // listing failures (the S3 error of the failing listing).
  Result<SyncReport> run();
  void request_stop();
  SyncProgress progress() const;
  // The run's own counts (thread-safe atomics), for the metrics.
  const RunTally& tally() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace s5j::transfer
