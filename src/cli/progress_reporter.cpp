#include "cli/progress_reporter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace s5j::cli {

std::string eta_text(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return "-";
  const long s = std::lround(*seconds);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string progress_bar(uint64_t done, uint64_t total) {
  constexpr int kWidth = 20;
  if (total == 0) return "[" + std::string(kWidth, '.') + "]";
  const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(share * kWidth);
  return "[" + std::string(filled, '#') + std::string(kWidth - filled, '-') + "] " +
         std::to_string(static_cast<int>(share * 100)) + "%";
}

metrics::JobStatusSource* progress_status(RunMetrics* metrics, const config::Config& config,
                                          std::optional<metrics::JobStatusSource>& storage) {
  if (metrics) return &metrics->job_status();
  storage.emplace(config, std::chrono::seconds(10));
  return &*storage;
}

std::string eta_suffix(metrics::JobStatusSource* source) {
  if (!source) return "";
  auto status = source->get();
  if (!status || !status->run || !status->run->active) return "";
  return status->eta_seconds ? ", ETA " + eta_text(status->eta_seconds) : ", ETA unknown";
}

void add_progress_interval_option(CLI::App& command, double& seconds) {
  command
      .add_option("--progress-interval", seconds,
                  "seconds between progress lines when stderr is not a terminal (journald, nohup)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
}

ProgressReporter::ProgressReporter(std::function<std::string()> line, bool terminal,
                                   std::chrono::milliseconds plain_interval) {
  thread_ = std::thread([this, line = std::move(line), terminal, plain_interval] {
    const std::chrono::milliseconds every = terminal ? std::chrono::seconds(1) : plain_interval;
    std::unique_lock lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, every, [this] { return stop_; });
      if (stop_) break;
      if (terminal)
        std::cerr << "\r\033[K" << line() << std::flush;
      else
        std::cerr << "s5j: progress: " << line() << "\n" << std::flush;
    }
    if (terminal) std::cerr << "\r\033[K" << std::flush;
  });
}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace s5j::cli
