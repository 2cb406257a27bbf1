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
//     again from the source; the other legs — the stage of this process —
//     are woken), with `staged_corrupt` / `staged_missing`. It never
//     reaches verified.
//   * other failures → failed (Leg::work_on), keeping the staged copy (the
//     next attempt uploads from it again).
//   * the destination refusing the run as a whole (credentials, permission,
//     bucket; SideGate decides with a probe): the object is not failed.
//     Continuous mode waits for the gate to open and uploads it again (the
//     stage leg waits too: nothing is staged for a destination that cannot
//     take it); `once` stops the run with the refusal (its exit code).
//   * on a cooperative ledger (several hosts) it claims only the copies
//     staged on this host; a drain without a stage leg in its process sends
//     back what absent hosts had staged (AbsentHostSweep), so that it stops
//     waiting for uploads that nobody can make.
//   * idle: continuous mode polls the ledger every poll interval (and puts
//     failed objects back in line every scan_interval); `once` ends when
//     nothing is left to upload and, for role drain, no stage run of the job
//     is active (its lock held by a live process), for role relay when no
//     object of the job is left in flight.
//
// Thread safety: as Leg.
#pragma once

#include <chrono>

#include "s3/s3_client.h"
#include "staging/stager.h"
#include "transfer/absent_hosts.h"
#include "transfer/byte_budget.h"
#include "transfer/leg.h"
#include "transfer/relay_activity.h"
#include "transfer/relay_settings.h"
#include "transfer/side_gate.h"
#include "transfer/staged_uploader.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

class DrainLeg final : public Leg {
 public:
  DrainLeg(RunContext& context, const RelaySettings& settings, staging::Stager& stager, RelayActivity& activity,
           s3::S3Client& destination, SideGate& gate);

  ClaimDispatcher::Idle on_idle() override;
  void on_stop() override;

 protected:
  ObjectOutcome transfer(const ledger::ObjectRecord& record) override;
  void settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed) override;

 private:
  void send_back(const ledger::ObjectRecord& record, const ObjectOutcome& out);
  Result<bool> stage_run_active();

  const RelaySettings& settings_;
  staging::Stager& stager_;
  RelayActivity& activity_;
  SideGate& gate_;
  ByteBudget budget_;
  WorkerPool part_pool_;
  StagedUploader uploader_;
  AbsentHostSweep absent_hosts_;                        // the claiming thread's
  std::chrono::steady_clock::time_point last_requeue_;  // the claiming thread only
  bool claimed_after_stage_ended_ = false;              // the claiming thread only
};

}  // namespace s5j::transfer
