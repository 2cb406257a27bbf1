// What the relay commands (stage, drain, relay) print: the event log's
// file name, the live progress line on a terminal, and the one-line summary
// (plus failure lines) at the end.
//
// Thread safety: pure functions (relay_progress_line reads the status
// source, which is thread-safe).
#pragma once

#include <string>

#include "metrics/job_status_source.h"
#include "transfer/relay_engine.h"

namespace s5j::cli {

// "relay complete: 500 objects staged (1.2 GiB) and 500 uploaded and
// verified (1.2 GiB) in 12.3 s ...". `once` tells whether "complete" applies.
std::string relay_summary(const transfer::RelayReport& report);

// The live line's text for `role`: what is done of what there is to do, in
// words ("staged 145 of 307 to stage", "all 307 objects verified"), never a
// bare "145/0".
std::string relay_progress_text(transfer::RelayRole role, const transfer::RelayProgress& progress);

// After a run stopped on request: whether anything remains. "the job is
// complete" when every object of the job is verified, what the other leg
// still has to do when this leg's work is done, else "run again to resume".
std::string relay_stop_text(const transfer::RelayReport& report);

// The progress line of `role`: a bar of the bytes its leg has moved
// (staged for stage, verified otherwise), relay_progress_text, and the ETA
// of `s5j status` read through `status` (may be null).
std::string relay_progress_line(transfer::RelayRole role, const transfer::RelayProgress& progress,
                                metrics::JobStatusSource* status);

}  // namespace s5j::cli
