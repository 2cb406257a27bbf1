// The progress of a run on stderr, for sync and the relay commands: on a
// terminal, one line redrawn in place every second; otherwise (journald,
// nohup, a pipe) the same text as a plain line every `plain_interval`, so
// a log shows how the run advances without a line per second. `--no-progress`
// means no reporter at all.
//
// The ETA is the figure of `s5j status` (ops::collect_status: remaining
// bytes at the recent rate), read through a metrics::JobStatusSource: the
// same number as the status page, /metrics and `status`.
//
// Thread safety: its own thread calls `line` (which must be thread-safe)
// and the status source; the destructor stops and joins it, and clears a
// terminal line.
#pragma once

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/run_metrics.h"
#include "metrics/job_status_source.h"

namespace s5j::cli {

// "1:02:03"; "-" for nothing known.
std::string eta_text(std::optional<double> seconds);

// "[########------------] 40%" of `done` in `total` ("[...] " with
// nothing to do).
std::string progress_bar(uint64_t done, uint64_t total);

// ", ETA 1:02:03" while a run is active and moving, ", ETA unknown" without
// a rate yet; "" when `source` is null or the status cannot be read.
std::string eta_suffix(metrics::JobStatusSource* source);

// The status source for a run's progress line: the run's metrics' when it
// serves them (one reading for both), else one made in `storage` that
// reads the ledger at most every 10 s.
metrics::JobStatusSource* progress_status(RunMetrics* metrics, const config::Config& config,
                                          std::optional<metrics::JobStatusSource>& storage);

// `--progress-interval` as a duration.
inline std::chrono::milliseconds interval_of(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Adds `--progress-interval SECONDS` (default 60) to a run command.
void add_progress_interval_option(CLI::App& command, double& seconds);

class ProgressReporter {
 public:
  ProgressReporter(std::function<std::string()> line, bool terminal,
                   std::chrono::milliseconds plain_interval = std::chrono::seconds(60));
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace s5j::cli
