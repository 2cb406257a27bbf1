#include "cli/run_metrics.h"

#include "cli/version.h"
#include "http/listen_address.h"
#include "metrics/job_families.h"
#include "metrics/run_families.h"

namespace s5j::cli {
namespace {

// A scrape reads the ledger's totals and the staging volumes at most this
// often, however often it is scraped.
constexpr std::chrono::milliseconds kJobStatusMaxAge{2000};

}  // namespace

std::string check_listen_address(const std::string& text) {
  auto parsed = http::parse_listen_address(text);
  return parsed ? std::string() : parsed.error();
}

void add_metrics_address_option(CLI::App& command, std::string& address) {
  command
      .add_option("--metrics-addr", address,
                  "serve Prometheus metrics on HOST:PORT while the run runs (default: metrics.listen)")
      ->type_name("HOST:PORT")
      ->check(CLI::Validator(check_listen_address, "", "listen address"));
}

RunMetrics::RunMetrics(const config::Config& config)
    : exposition_(version_number(), commit_id()), requests_(exposition_), job_status_(config, kJobStatusMaxAge) {}

Result<std::unique_ptr<RunMetrics>> RunMetrics::start(const config::Config& config, const std::string& flag_address,
                                                      log::EventLog& events) {
  const std::string& text = flag_address.empty() ? config.metrics.listen : flag_address;
  if (text.empty()) return nullptr;
  auto address = http::parse_listen_address(text);
  if (!address) return make_error(ErrorKind::fatal, config::kConfigError, address.error());
  std::unique_ptr<RunMetrics> metrics(new RunMetrics(config));
  metrics->exposition_.add_source([m = metrics.get()](metrics::Families& out) { m->collect(out); });
  metrics::HttpServerOptions options{.address = *address, .routes = {}, .token = {}};
  options.routes["/metrics"] = [m = metrics.get()](const metrics::HttpRequest&) {
    return metrics::HttpResponse{
        .status = 200, .content_type = metrics::kExpositionContentType, .body = m->exposition_.text()};
  };
  auto server = metrics::HttpServer::start(std::move(options));
  if (!server) return std::unexpected(server.error());
  metrics->server_ = std::move(*server);
  events.emit("metrics_listening", {{"url", metrics->server_->url() + "/metrics"}});
  return metrics;
}

RunMetrics::~RunMetrics() { server_.reset(); }

void RunMetrics::watch_client(const std::string& side, s3::S3Client& client) {
  client.add_observer(requests_.observer_for(side));
  std::lock_guard lock(mutex_);
  clients_.emplace_back(side, &client);
}

std::unique_ptr<RunMetrics::RunWatch> RunMetrics::watch_run(metrics::MetricsSource run_figures) {
  std::lock_guard lock(mutex_);
  run_figures_ = std::move(run_figures);
  return std::make_unique<RunWatch>(this);
}

RunMetrics::RunWatch::~RunWatch() {
  std::lock_guard lock(owner_->mutex_);
  owner_->run_figures_ = nullptr;
}

void RunMetrics::collect(metrics::Families& out) {
  {
    std::lock_guard lock(mutex_);
    if (run_figures_) run_figures_(out);
    for (const auto& [side, client] : clients_) metrics::append_client_families(side, *client, out);
  }
  // Outside the lock: it reads the ledger; a failure leaves the job's
  // families out of this scrape (s5j_job_status_up says so).
  auto status = job_status_.get();
  metrics::gauge("s5j_job_status_up", "1 when the job's status could be read for this scrape")
      .add(status ? 1 : 0)
      .append_to(out);
  if (status) metrics::append_job_families(*status, out);
}

}  // namespace s5j::cli
