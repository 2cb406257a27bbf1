// What `s5j reset` removes to start a job over (their reset.py): plan_reset
// reads it (the command shows it and asks, or takes --yes), then
// execute_reset (ops/reset_execution.h) removes:
//   1. the job's ledger state: every object and part record and any
//      unfinished listing (reset_job; run history is kept);
//   2. the job's staged files: through the Stager only (remove per id found
//      by the scan, discard_partials), so nothing outside
//      <volume>/s5j-staging/<job>/ is touched and unknown entries there
//      stay too;
//   3. multipart uploads the ledger lists as open at the destination: the
//      destination's own listing (under destination.prefix) gives each
//      upload id's key, and those are aborted; ids the destination no
//      longer has are recorded as ended. When the destination cannot be
//      listed the uploads stay listed in the ledger (a later reset or run
//      aborts them) and a warning says so.
// The job lock is held from the plan to the end, so no run can start in
// between; a live run refuses the reset (exit 13, naming the pid).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "ledger/records.h"
#include "ops/job_context.h"

namespace s5j::ops {

struct ResetVolume {
  std::string path;
  uint64_t staged_files = 0;
  uint64_t staged_bytes = 0;
  uint64_t partial_files = 0;
  uint64_t partial_bytes = 0;
};

struct ResetPlan {
  std::string job;
  std::string ledger;
  bool job_exists = false;
  ledger::JobMode mode = ledger::JobMode::direct;
  std::vector<ledger::StateTotals> states;
  uint64_t objects = 0, bytes = 0;
  std::vector<ledger::UploadRecord> uploads;  // open at the destination
  std::vector<ResetVolume> volumes;           // only those holding something of the job
  std::vector<int64_t> staged_ids;            // complete staged files found, by id
  uint64_t unknown_entries = 0;               // other entries in the job's directories (left alone)

  bool empty() const;
};

// Reads what a reset of config.job would remove; changes nothing. Errors:
// the ledger's, or the staging scan's (StagingIoError).
Result<ResetPlan> plan_reset(const config::Config& config, JobContext& context);

}  // namespace s5j::ops
