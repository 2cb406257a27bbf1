// The job's durable state for the commands (ops/job_context.h), and how a
// command reports the ledger's or the staging volumes' failure:
//   ledger_failure() / staging_failure()
//                          one line on stderr, exit code 10 / 11
#pragma once

#include "base/error.h"
#include "log/redactor.h"
#include "ops/job_context.h"

namespace s5j::cli {

using ops::ActiveRun;
using ops::find_active_run;
using ops::holder_alive;
using ops::JobContext;
using ops::open_job_context;
using ops::open_job_ledger;
using ops::process_alive;
using ops::staging_options_for;
using ops::staging_volume_paths;
using ops::this_host;

// Prints the error as one line (redacted) and returns kLedgerError /
// kStagingError, adding a fix when the layer's message lacks one (busy).
int ledger_failure(const Error& error, const log::Redactor& redactor);
int staging_failure(const Error& error, const log::Redactor& redactor);

}  // namespace s5j::cli
