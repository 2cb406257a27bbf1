// Staging volumes that are not disks of their own (staging/volume_mount.h):
// `stage` and `relay` warn about each one before the first byte moves and,
// with staging.require_mounts: true, refuse to start (exit 11); `check`
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

// Prints each problem on stderr ("s5j: warning: ..." and an event
// staging_volume_not_mounted) and returns kOk; with staging.require_mounts
// prints the first as the refusal and returns kStagingError.
int warn_or_refuse_unmounted_volumes(const config::Config& config, const log::Redactor& redactor,
                                     log::EventLog& events);

}  // namespace s5j::cli
