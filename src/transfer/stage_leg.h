// StageLeg: the relay's stage leg — workers that claim `pending` objects,
// stage each onto a volume (StagedFetcher) and record it `staged`.
//
//   * pending → staging (a new attempt) before the fetch; staging → staged
//     with the source checksums and the staged copy (volume, path, size,
//     checksums, metadata); `object_staged` once that is durable, when the
//     drain leg (same process) is woken;
//   * TooLarge (no volume could hold it) → failed with the staging layer's
//     message; a vanished source object → vanished; one that changed is
//     listed again and staged as its new version (resolve_source_change);
//   * staging.max_batch_bytes: objects are admitted in batches of at most
//     that many bytes (one larger object is a batch of its own); a batch
//     starts when the previous one is staged (`batch_done`);
//   * while a reserve() waits for space, the volumes are re-read every poll
//     interval (Stager::refresh) so files a separate drain process deleted
//     free their space here;
//   * idle: continuous mode lists the source again every scan_interval
//     (`scanning`, via `scan`); `once` ends the leg (role stage) or waits
//     until no object of the job is left in flight (role relay: the drain
//     may send a corrupt copy back to be fetched again).
//
// Thread safety: start()/join() from the engine's thread; request_stop(),
// wake() and the getters from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "s3/s3_client.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/relay_context.h"
#include "transfer/staged_fetcher.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

class StageLeg {
 public:
  // `scan` lists the source into the ledger (continuous mode, when idle).
  StageLeg(RelayContext& context, s3::S3Client& source, std::function<Status()> scan);
  ~StageLeg();
  StageLeg(const StageLeg&) = delete;
  StageLeg& operator=(const StageLeg&) = delete;

  // The drain leg of the same process, woken when objects become staged.
  void set_peer(ClaimDispatcher* drain) { peer_ = drain; }
  ClaimDispatcher& dispatcher() { return dispatcher_; }

  void start();
  void join();
  void request_stop();
  bool finished() const { return finished_.load(); }
  bool scanning() const { return scanning_.load(); }

 private:
  void process(ledger::ObjectRecord record);
  void handle_changed(ledger::ObjectRecord& record, const ObjectOutcome& out);
  ClaimDispatcher::Idle on_idle();
  bool admit(uint64_t bytes);
  void admitted_done();
  void watch_space();

  RelayContext& ctx_;
  s3::S3Client& source_;
  std::function<Status()> scan_;
  WorkerPool part_pool_;
  StagedFetcher fetcher_;
  ClaimDispatcher dispatcher_;
  ClaimDispatcher* peer_ = nullptr;
  std::stop_source stop_;
  std::atomic<bool> finished_{false};
  std::atomic<bool> scanning_{false};
  std::chrono::steady_clock::time_point last_scan_;  // used by the claiming thread only
  std::vector<std::thread> workers_;

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
