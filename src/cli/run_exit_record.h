// The run history tells the process's real exit code. The engines end their
// run record before the CLI has decided the exit code (a fatal error is
// recorded as "error" with 1, the CLI then exits 11 for a staging error or
// 4/5 for a refusal; failed objects the CLI finds refused exit 4/5 where the
// engine wrote 12), so the CLI writes its final code onto that record.
#pragma once

#include <string>

#include "ledger/job_control.h"

namespace s5j::cli {

// The record of the run this process began for `job` at or after `since`
// (same pid, same host); nothing when there is none (the run never began,
// e.g. the job's lock was held) or it already carries `exit_code`. Keeps
// the outcome the engine wrote. Best effort: the history is a view, the
// exit code stands either way.
void record_exit_code(ledger::JobControl& ledger, const std::string& job, ledger::TimePoint since, int exit_code);

}  // namespace s5j::cli
