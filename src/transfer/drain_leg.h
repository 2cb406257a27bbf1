// DrainLeg: the relay's drain leg — workers that claim `staged` objects,
// upload each from its staged file (StagedUploader) and record it
// `verified`; the staged file is deleted only once `verified` is durable.
//
//   * staged → uploading (a new attempt), then uploading → verified with
//     the checksums of the bytes read from the staged file (equal to the
//     source's, checked end to end) and the destination ETag; the completed
//     multipart upload is recorded with it. `object_uploaded` when the
//     destination confirmed the bytes, `object_verified` when durable.
//   * a staged copy that reads differently from the source bytes, or that
//     is gone: the file is deleted first, then uploading → pending (fetch it
//     again from the source; the stage leg of this process is woken), with
//     `staged_corrupt` / `staged_missing`. It never reaches verified.
//   * other failures → failed, keeping the staged copy (the next attempt
//     uploads from it again).
//   * idle: continuous mode polls the ledger every poll interval (and puts
//     failed objects back in line every scan_interval); `once` ends when
//     nothing is left to upload and, for role drain, no stage run of the job
//     is active (its lock held by a live process), for role relay when no
//     object of the job is left in flight.
//
// Thread safety: start()/join() from the engine's thread; request_stop()
// and the getters from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "s3/s3_client.h"
#include "transfer/byte_budget.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/relay_context.h"
#include "transfer/staged_uploader.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

class DrainLeg {
 public:
  DrainLeg(RelayContext& context, s3::S3Client& destination);
  ~DrainLeg();
  DrainLeg(const DrainLeg&) = delete;
  DrainLeg& operator=(const DrainLeg&) = delete;

  // The stage leg of the same process, woken when objects go back to pending.
  void set_peer(ClaimDispatcher* stage) { peer_ = stage; }
  ClaimDispatcher& dispatcher() { return dispatcher_; }
  const StagedUploader& uploader() const { return uploader_; }

  void start();
  void join();
  void request_stop();
  bool finished() const { return finished_.load(); }

 private:
  void process(ledger::ObjectRecord record);
  void send_back(const ledger::ObjectRecord& record, const ObjectOutcome& out);
  ClaimDispatcher::Idle on_idle();
  Result<bool> stage_run_active();

  RelayContext& ctx_;
  ByteBudget budget_;
  WorkerPool part_pool_;
  StagedUploader uploader_;
  ClaimDispatcher dispatcher_;
  ClaimDispatcher* peer_ = nullptr;
  std::atomic<bool> finished_{false};
  std::chrono::steady_clock::time_point last_requeue_;  // the claiming thread only
  bool claimed_after_stage_ended_ = false;              // the claiming thread only
  std::vector<std::thread> workers_;
};

}  // namespace s5j::transfer
