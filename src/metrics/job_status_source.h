// The job's status (ops::collect_status, what `s5j status` reads) for
// scrapes and page refreshes: read at most once per `max_age`, so a burst of
// requests (Prometheus, a few browsers) reads the ledger and the volumes
// once. Keeps the ledger open between reads and opens it again while it
// or the job does not exist yet.
//
// Each fresh reading also adds a point to a bounded history (when, bytes
// verified, the last minute's rate) for the page's throughput chart.
//
// Thread safety: get() and history() from any thread (serialised).
#pragma once

#include <chrono>
#include <mutex>
#include <deque>
#include <optional>
#include <vector>

#include "config/config.h"
#include "ops/job_context.h"
#include "ops/status_report.h"

namespace s5j::metrics {

class JobStatusSource {
 public:
  JobStatusSource(config::Config config, std::chrono::milliseconds max_age);

  // Errors: the ledger's (it could not be opened or read).
  Result<ops::StatusReport> get();

  struct Point {
    ledger::TimePoint at;
    uint64_t verified_bytes = 0;
    std::optional<double> bytes_per_second;  // the last minute's rate
  };
  static constexpr size_t kMaxHistory = 2880;  // a day at one point per 30 s
  std::vector<Point> history() const;

 private:
  const config::Config config_;
  const std::chrono::milliseconds max_age_;
  mutable std::mutex mutex_;
  std::optional<ops::JobContext> context_;                  // guarded by mutex_
  ops::VerifiedSamples samples_;                            // guarded by mutex_
  std::optional<ops::StatusReport> last_;                   // guarded by mutex_
  std::chrono::steady_clock::time_point last_at_{};         // guarded by mutex_
  std::deque<Point> history_;                               // guarded by mutex_
};

}  // namespace s5j::metrics
