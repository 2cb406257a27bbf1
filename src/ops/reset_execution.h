// The changes of `s5j reset` (ops/reset_plan.h says what goes), in this
// order, so that a volume problem stops the reset with nothing changed:
//   1. the Stager is opened (only when the plan found staged files);
//   2. the job's ledger state goes (Ledger::reset_job; run history stays);
//   3. the staged files found go through the Stager (remove per id,
//      discard_partials), then a rescan must find none of the job's left;
//   4. the uploads the ledger lists as open are aborted at the destination
//      (abort_uploads). Problems there are warnings, not failures: those
//      uploads stay listed in the ledger for a later reset or run.
// The caller holds the job lock and has asked the operator.
//
// Thread safety: call from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "ledger/ledger.h"
#include "ops/job_context.h"
#include "ops/reset_plan.h"
#include "s3/s3_client.h"

namespace s5j::ops {

struct AbortOutcome {
  uint64_t aborted = 0;  // aborted at the destination now
  uint64_t gone = 0;     // the destination no longer had them
  uint64_t left = 0;     // still listed in the ledger
};

// Builds the destination's client with the given transfer settings (the
// reset lowers max_attempts so that an unreachable side does not stall it).
using DestinationClientFactory =
    std::function<Result<std::unique_ptr<s3::S3Client>>(const config::TransferConfig& transfer)>;

struct ResetOutcome {
  uint64_t removed_files = 0;  // staged and partial files removed
  uint64_t removed_bytes = 0;
  AbortOutcome uploads;
  // One line each, not redacted (the caller redacts what it prints).
  std::vector<std::string> warnings;
};

// Carries out `plan` (from plan_reset with the same context). Errors: the
// ledger's (codes "Ledger..."), else the staging volumes' (code
// "StagedFilesRemain" when files of the job are still there afterwards).
Result<ResetOutcome> execute_reset(const config::Config& config, JobContext& context, const ResetPlan& plan,
                                   const DestinationClientFactory& destination);

// Step 4 alone: aborts the uploads at the destination, finding each upload
// id's key in the destination's own listing under destination.prefix.
AbortOutcome abort_uploads(const config::Config& config, ledger::TransitionQueue& ledger,
                           const std::vector<ledger::UploadRecord>& uploads,
                           const DestinationClientFactory& destination, std::vector<std::string>& warnings);

}  // namespace s5j::ops
