// Where a job keeps its state, whatever directory the command runs in.
//
// Relative paths in a config file (ledger.path, log.dir, staging.volumes,
// staging.volume_pattern) name places relative to the config file's own
// directory, so `s5j status -c jobs/archive.yaml` run from anywhere opens
// the ledger the job's runs write. A config under /etc holds configuration
// only (FHS, and a read-only /etc under the systemd units): its relative
// ledger.path is placed in /var/lib/s5j/<job>/ and its relative log.dir in
// /var/log/s5j/<job>/ (the units' StateDirectory= and LogsDirectory=).
// The rule depends on nothing but the config's path, so a command run by
// hand finds what the service wrote.
//
// s5j 0.1 resolved them against the working directory; that place is kept
// in LedgerConfig::working_directory_path so a command can refuse to start
// a second, empty ledger beside a job's existing one (see
// cli/job_context.h, open_job_ledger).
#pragma once

#include <string>

#include "config/config.h"

namespace s5j::config {

// Makes every relative path of `config` absolute as described above.
// `config_file` is the path the config was read from (relative to the
// working directory or absolute). PostgreSQL URLs are left alone.
void anchor_job_paths(Config& config, const std::string& config_file);

}  // namespace s5j::config
