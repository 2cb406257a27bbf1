// StageLeg: the relay's stage leg — workers that claim `pending` objects,
// stage each onto a volume (StagedFetcher) and record it `staged`.
//
//   * pending → staging (a new attempt) before the fetch; staging → staged
//     with the source checksums and the staged copy (volume, path, size,
//     checksums, metadata); `object_staged` once that is durable, when the
//     other legs (the drain of the same process) are woken;
//   * TooLarge (no volume could hold it) → failed with the staging layer's
//     message; failed, vanished, changed (listed again and staged as its
//     new version) and cancelled are recorded by Leg::work_on;
//   * staging.max_batch_bytes: objects are admitted in batches of at most
//     that many bytes (one larger object is a batch of its own); a batch
//     starts when the previous one is staged (`batch_done`);
//   * while a reserve() waits for space, the volumes are re-read every poll
//     interval (Stager::refresh) so files a separate drain process deleted
//     free their space here;
//   * while the destination refuses the run (the relay's SideGate, when
//     the drain runs in this process), admit() waits: nothing is staged
//     that could not be uploaded;
//   * on a cooperative ledger each staged copy names this host, and when
//     idle the leg sends back what absent hosts had staged (AbsentHostSweep)
//     and fetches it again;
//   * idle: continuous mode lists the source again every scan_interval
//     (`scanning`, via `scan`); `once` ends the leg (role stage) or waits
//     until no object of the job is left in flight (role relay: the drain
//     may send a corrupt copy back to be fetched again).
//
// Thread safety: as Leg; scanning() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

#include "s3/s3_client.h"
#include "staging/stager.h"
#include "transfer/absent_hosts.h"
#include "transfer/leg.h"
#include "transfer/relay_activity.h"
#include "transfer/relay_settings.h"
#include "transfer/side_gate.h"
#include "transfer/staged_fetcher.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

class StageLeg final : public Leg {
 public:
  // `scan` lists the source into the ledger (continuous mode, when idle).
  // `destination_gate`: the drain's, when it runs in this process; else null.
  StageLeg(RunContext& context, const RelaySettings& settings, staging::Stager& stager, RelayActivity& activity,
           s3::S3Client& source, std::function<Status()> scan, SideGate* destination_gate);
  ~StageLeg() override;

  void start() override;
  void finish() override;
  ClaimDispatcher::Idle on_idle() override;
  void on_stop() override;
  bool scanning() const { return scanning_.load(); }

 protected:
  bool admit(const ledger::ObjectRecord& record) override;
  ObjectOutcome transfer(const ledger::ObjectRecord& record) override;
  void settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed) override;

 private:
  void admitted_done();
  void watch_space();

  const RelaySettings& settings_;
  staging::Stager& stager_;
  RelayActivity& activity_;
  std::function<Status()> scan_;
  SideGate* destination_gate_;
  WorkerPool part_pool_;
  StagedFetcher fetcher_;
  std::stop_source stop_;
  AbsentHostSweep absent_hosts_;  // the claiming thread's
  std::atomic<bool> scanning_{false};
  std::chrono::steady_clock::time_point last_scan_;  // used by the claiming thread only

  // Batches (staging.max_batch_bytes).
  std::mutex batch_mutex_;
  std::condition_variable batch_cv_;
  uint64_t batch_bytes_ = 0;     // guarded by batch_mutex_
  uint64_t batch_in_flight_ = 0; // guarded by batch_mutex_
  uint64_t batch_number_ = 1;    // guarded by batch_mutex_

  // The space watcher.
  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;  // guarded by watch_mutex_
  std::thread watcher_;
};

}  // namespace s5j::transfer
