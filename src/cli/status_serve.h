// `s5j status --serve HOST:PORT`: the job's status over HTTP, read from the
// ledger as long as the command runs, beside any run (or none):
//   /             the status page (metrics/status_page.html, in the binary)
//   /api/status   the JSON of `s5j status --json`
//   /metrics      the job-level gauges (metrics/job_families.h) and
//                 s5j_build_info, in the Prometheus text format
//   /api/run      the running run's endpoint health and concurrency, read
//                 from its /metrics at the config's metrics.listen
//                 (metrics/run_health.h)
//   /api/history  the verified bytes and the last minute's rate at each
//                 reading since it started (every 30 s, and every page
//                 refresh), for the page's chart
// Read-only. On a loopback address anyone on this machine may read it; on
// any other address it requires the token of --serve-token-file and says
// so. Ends on SIGINT/SIGTERM (exit 0).
#pragma once

#include <string>

namespace s5j::cli {

struct ServeOptions {
  std::string config_path;
  std::string address;     // HOST:PORT (checked by check_listen_address)
  std::string token_file;  // empty: no token (refused off loopback)
};

// Returns the exit code.
int serve_status(const ServeOptions& options);

}  // namespace s5j::cli
