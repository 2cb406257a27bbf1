#include "cli/run_exit_record.h"

#include <unistd.h>

#include <chrono>

#include "transfer/job_run.h"

namespace s5j::cli {

void record_exit_code(ledger::JobControl& ledger, const std::string& job, ledger::TimePoint since, int exit_code) {
  auto found = ledger.find_job(job);
  if (!found || !*found) return;
  // A few runs back at most: another process's runs of other roles (stage
  // beside drain) may have begun since.
  auto runs = ledger.runs((*found)->id, 8);
  if (!runs) return;
  // The ledger keeps milliseconds.
  const auto from = std::chrono::floor<std::chrono::milliseconds>(since);
  const std::string host = transfer::local_host_name();
  for (const ledger::RunRecord& r : *runs) {
    if (r.started_at < from) return;  // newest first: older runs are not ours
    if (r.start.pid != ::getpid() || r.start.host != host) continue;
    if (r.exit_code != exit_code) (void)ledger.end_run(r.id, r.outcome.empty() ? "error" : r.outcome, exit_code);
    return;
  }
}

}  // namespace s5j::cli
