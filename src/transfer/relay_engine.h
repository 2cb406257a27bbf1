// RelayEngine: one run of the staged relay — `s5j stage` (source → staging
// volumes), `s5j drain` (staging volumes → destination) or `s5j relay`
// (both legs at once in one process, separate worker sets, one ledger).
//
// A run is the RunDriver's sequence with the role's legs: take the job's
// lock for its role(s) (stage and drain of one job may run as two
// processes side by side, even at different times and places; two runs of
// one role exclude each other; relay takes both); recover what a dead run
// of the role(s) left (leases, failed objects, multipart uploads at the
// destination); open the staging volumes and clean them (.part leftovers of
// a crash, staged files whose object is already verified or no longer wants
// them); list the source into the ledger (stage, relay); then the legs work:
//   stage leg (StageLeg): claims pending objects, stages each (StagedFetcher)
//     and records it `staged` with its volume, path, size and checksums;
//     waits for space when every volume is full (`waiting_for_space`);
//   drain leg (DrainLeg): claims staged objects, uploads each
//     (StagedUploader), records it `verified`, and only once that is durable
//     deletes the staged file; a staged file that reads differently from the
//     source bytes is deleted and its object goes back to `pending`.
// Continuous by default (like the original's scripts): when idle the stage
// leg lists the source again every scan_interval (`scanning`) and the drain
// leg keeps polling the ledger. With `once`: stage ends when nothing is left
// to stage; drain ends when nothing is left to upload and no stage run is
// active; relay ends when every object is verified, failed or vanished.
//
// Stopping: request_stop() (SIGTERM/SIGINT) stops claiming; downloads in
// flight finish (and are committed) or are dropped, uploads finish or are
// checkpointed (parts recorded), leases are released, the ledger is flushed.
//
// Thread safety: run() once per engine; request_stop() and progress() from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "transfer/run_context.h"
#include "transfer/relay_settings.h"

namespace s5j::transfer {

struct RelayProgress {
  bool planning = true;
  bool scanning = false;
  bool waiting_for_space = false;
  uint64_t listed_objects = 0;
  uint64_t to_stage_objects = 0;  // at the start (pending, staging, failed)
  uint64_t to_stage_bytes = 0;
  uint64_t to_upload_objects = 0;  // at the start (everything not yet verified)
  uint64_t to_upload_bytes = 0;
  uint64_t staged_objects = 0;  // in this run
  uint64_t staged_bytes = 0;
  uint64_t verified_objects = 0;  // in this run
  uint64_t verified_bytes = 0;
  uint64_t failed_objects = 0;
};

struct RelayReport {
  RelayRole role = RelayRole::relay;
  uint64_t listed_objects = 0;
  uint64_t found_at_destination = 0;  // identical there already: verified without moving
  uint64_t staged_objects = 0;  // staged in this run
  uint64_t staged_bytes = 0;
  uint64_t downloaded_bytes = 0;
  uint64_t verified_objects = 0;  // uploaded and verified in this run
  uint64_t verified_bytes = 0;
  uint64_t uploaded_bytes = 0;
  uint64_t failed_objects = 0;
  uint64_t vanished_objects = 0;
  uint64_t changed_objects = 0;
  uint64_t refetch_objects = 0;  // staged copy corrupt or missing: back to the source
  uint64_t space_waits = 0;      // times staging waited for space
  uint64_t partials_removed = 0; // .part files of a crash deleted at start
  uint64_t stale_removed = 0;    // staged files no longer wanted, deleted at start
  // The ledger at the end: objects per state (pipeline order).
  std::vector<std::pair<std::string, uint64_t>> totals;
  uint64_t total_objects = 0;
  uint64_t total_verified = 0;
  uint64_t total_verified_bytes = 0;
  // Objects the role still has to move at the end: stage — not yet staged;
  // drain and relay — not yet verified (and not failed or vanished).
  uint64_t remaining_objects = 0;
  std::vector<std::string> failures;  // "key: error" of the first failures
  bool stopped = false;
  std::chrono::milliseconds duration{0};
  bool complete() const { return failed_objects == 0 && remaining_objects == 0 && !stopped; }
};

class RelayEngine {
 public:
  // `source` may be null for drain, `destination` null for stage.
  RelayEngine(RelaySettings settings, s3::S3Client* source, s3::S3Client* destination, ledger::Ledger& ledger,
              log::EventLog& events, const Clock& clock = SystemClock::instance());
  ~RelayEngine();

  // Errors: AlreadyRunning, LedgerConflict (the job is a direct sync job),
  // LedgerError, StagingError (volumes), listing failures.
  Result<RelayReport> run();
  void request_stop();
  RelayProgress progress() const;
  // The run's own counts (thread-safe atomics), for the metrics.
  const RunTally& tally() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace s5j::transfer
