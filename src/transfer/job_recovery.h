// Recovery at the start of a run that holds the job's (or a role's) lock:
// whatever a dead run left behind is made claimable again and nothing is
// orphaned at the destination.
//
//   1. leases: every lease of the job (whole-job lock), or only those of the
//      states the role works on (`lease_states`), is released — their
//      holder died; not on a cooperative ledger, where other workers of the
//      job live and a dead one's leases expire instead;
//   2. failed objects go back in line (Ledger::requeue_failed);
//   3. multipart uploads the ledger lists as open (when `destination` is
//      given): those abandoned, or whose object is gone, verified or
//      vanished, are aborted at the destination and recorded aborted;
//      those of objects still to transfer are left for resume. An abort
//      that fails is logged (`upload_abort_failed`) and retried next run.
// Emits `recovered` with the counts.
//
// Thread safety: call before the run's workers start.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"

namespace s5j::transfer {

struct RecoveryOptions {
  std::vector<ledger::ObjectState> lease_states;  // empty: every lease of the job
  bool requeue_failed = true;
  s3::S3Client* destination = nullptr;  // null: uploads are left alone (this side cannot see the destination)
  std::string destination_bucket;
  std::function<std::string(const std::string& source_key)> destination_key;
};

struct RecoveryStats {
  uint64_t leases_released = 0;
  uint64_t failed_requeued = 0;
  uint64_t uploads_aborted = 0;
};

Result<RecoveryStats> recover_job(ledger::Ledger& ledger, ledger::JobId job, const RecoveryOptions& options,
                                  log::EventLog& events);

}  // namespace s5j::transfer
