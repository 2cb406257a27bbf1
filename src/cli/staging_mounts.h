// Staging volumes that are not disks of their own (staging/volume_mount.h):
// `stage` and `relay` refuse to start with staging.require_mounts: true
// (exit 11, before either side is contacted), else warn about each one
// before the first byte moves; `check`
// reports them with the volumes (job_preflight.h). `drain` only reads what
// is there and is not checked.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "log/event_log.h"
#include "log/redactor.h"

namespace s5j::cli {

// One line per staging volume of the job (staging_volume_paths) that is
// not a filesystem of its own; empty when all are (or none exists yet:
// opening the stager reports that).
std::vector<std::string> staging_mount_problems(const config::Config& config);

// With staging.require_mounts and a problem: prints the first as the
// refusal (one line on stderr, event staging_volume_refused) and returns
// kStagingError; else kOk. Called before anything is contacted.
int refuse_unmounted_volumes(const config::Config& config, const std::vector<std::string>& problems,
                             const log::Redactor& redactor, log::EventLog& events);

// Prints each problem as "s5j: warning: ..." on stderr, with an event
// staging_volume_not_mounted. Called once the run goes ahead (its sides
// answered), so that a run that fails still prints its one error line only.
// `print` false: events only (a step of `transfer`, whose pre-flight showed them).
void warn_unmounted_volumes(const std::vector<std::string>& problems, const log::Redactor& redactor,
                            log::EventLog& events, bool print = true);

}  // namespace s5j::cli
