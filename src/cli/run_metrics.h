// `--metrics-addr HOST:PORT` (or `metrics.listen` in the config; the flag
// wins) on sync, stage, drain, relay and transfer: the run serves
// `/metrics` in the Prometheus text format while it runs (metric names in
// docs/operations.md, "Metrics"). The run's own figures come from what it
// already counts; the job-level ones (objects and bytes per state, ETA,
// staging volumes) from the same status report as `s5j status`.
//
// Lifetime: start() before the clients' first request (watch_client adds
// their observers); watch_run() once the engine exists, its RunWatch
// declared after the engine so the engine is not read after it ends.
//
// Thread safety: the server's threads read through the sources; the
// setters are for the command's thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "log/event_log.h"
#include "metrics/exposition.h"
#include "metrics/http_server.h"
#include "metrics/job_status_source.h"
#include "metrics/request_metrics.h"
#include "s3/s3_client.h"

namespace s5j::cli {

// The CLI11 check of --metrics-addr and --serve: "" when fine, else the
// problem (http::parse_listen_address's message).
std::string check_listen_address(const std::string& text);

// Adds `--metrics-addr HOST:PORT` to a run command, stored in `address`.
void add_metrics_address_option(CLI::App& command, std::string& address);

class RunMetrics {
 public:
  // Listens on `flag_address`, else config.metrics.listen; nullptr when
  // both are empty. Emits `metrics_listening {url}`. Errors: the address
  // cannot be bound (metrics::kListenFailed).
  static Result<std::unique_ptr<RunMetrics>> start(const config::Config& config, const std::string& flag_address,
                                                   log::EventLog& events);
  ~RunMetrics();

  // Counts `client`'s requests as `side` ("source", "destination") and
  // reports its concurrency and endpoints; before its first request.
  void watch_client(const std::string& side, s3::S3Client& client);

  // The run's figures, read at each scrape until the returned watch ends.
  class RunWatch {
   public:
    explicit RunWatch(RunMetrics* owner) : owner_(owner) {}
    ~RunWatch();
    RunWatch(const RunWatch&) = delete;
    RunWatch& operator=(const RunWatch&) = delete;

   private:
    RunMetrics* owner_;
  };
  [[nodiscard]] std::unique_ptr<RunWatch> watch_run(metrics::MetricsSource run_figures);

  std::string url() const { return server_->url(); }
  // The job's status as the scrapes read it (for the progress line's ETA).
  metrics::JobStatusSource& job_status() { return job_status_; }

 private:
  RunMetrics(const config::Config& config);
  void collect(metrics::Families& out);

  metrics::Exposition exposition_;
  metrics::RequestMetrics requests_;
  metrics::JobStatusSource job_status_;
  std::mutex mutex_;
  std::vector<std::pair<std::string, const s3::S3Client*>> clients_;  // guarded by mutex_
  metrics::MetricsSource run_figures_;                                // guarded by mutex_
  std::unique_ptr<metrics::HttpServer> server_;  // last: stopped first
};

// For a command that may or may not serve metrics: watch_run on `metrics`
// when there is one.
inline std::unique_ptr<RunMetrics::RunWatch> watch_run_if(RunMetrics* metrics, metrics::MetricsSource source) {
  return metrics ? metrics->watch_run(std::move(source)) : nullptr;
}

}  // namespace s5j::cli
