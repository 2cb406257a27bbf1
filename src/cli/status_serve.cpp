#include "cli/status_serve.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <stop_token>
#include <thread>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/status_output.h"
#include "base/strings.h"
#include "cli/version.h"
#include "http/listen_address.h"
#include "metrics/exposition.h"
#include "metrics/http_server.h"
#include "metrics/job_families.h"
#include "metrics/job_status_source.h"
#include "metrics/run_health.h"
#include "http/curl_transport.h"
#include "metrics/status_page.h"

namespace s5j::cli {
namespace {

// Page refreshes and scrapes read the ledger at most this often.
constexpr std::chrono::milliseconds kStatusMaxAge{1000};

// The token: the file's first line without surrounding white space.
std::optional<std::string> read_token(const std::string& path, std::string& problem) {
  std::ifstream in(path);
  if (!in) {
    problem = "cannot read --serve-token-file " + path + ": " + std::strerror(errno) +
              " (give a readable file holding the token)";
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    std::cerr << "s5j: warning: --serve-token-file " << path << " is readable by group or others (chmod 600 " << path
              << ")\n";
  std::string token;
  std::getline(in, token);
  const auto first = token.find_first_not_of(" \t\r\n");
  const auto last = token.find_last_not_of(" \t\r\n");
  token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
  if (token.size() < 16) {
    problem = "--serve-token-file " + path + " holds no token of at least 16 characters on its first line " +
              "(write one, e.g. openssl rand -hex 32 > " + path + ")";
    return std::nullopt;
  }
  return token;
}

std::string status_json_text(const ops::StatusReport& report) {
  return status_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

metrics::HttpResponse ledger_unavailable(const Error& error, const log::Redactor& redactor) {
  return {.status = 503, .body = redactor.apply("status unavailable: " + error.describe()) + "\n"};
}

}  // namespace

int serve_status(const ServeOptions& options) {
  auto config = load_config_for_command(options.config_path);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);
  auto address = http::parse_listen_address(options.address);
  if (!address) {
    std::cerr << "s5j: --serve: " << address.error() << "\n";
    return kUsage;
  }
  std::string token;
  if (!options.token_file.empty()) {
    std::string problem;
    auto read = read_token(options.token_file, problem);
    if (!read) {
      std::cerr << "s5j: " << problem << "\n";
      return kUsage;
    }
    token = std::move(*read);
  } else if (!address->loopback()) {
    std::cerr << "s5j: --serve " << address->to_string()
              << " is reachable from other machines and needs a token: add --serve-token-file FILE (its first "
                 "line is the token), or serve on 127.0.0.1\n";
    return kUsage;
  }

  metrics::JobStatusSource source(*config, kStatusMaxAge);
  metrics::Exposition exposition(version_number(), commit_id());
  exposition.add_source([&source](metrics::Families& out) {
    auto status = source.get();
    metrics::gauge("s5j_job_status_up", "1 when the job's status could be read for this scrape")
        .add(status ? 1 : 0)
        .append_to(out);
    if (status) metrics::append_job_families(*status, out);
  });

  metrics::HttpServerOptions server_options{.address = *address, .routes = {}, .token = token};
  server_options.routes["/"] = [&](const metrics::HttpRequest&) -> metrics::HttpResponse {
    auto status = source.get();
    const std::string initial = status ? status_json_text(*status) : "null";
    return {.status = 200,
            .content_type = "text/html; charset=utf-8",
            .body = redactor.apply(metrics::status_page(initial))};
  };
  server_options.routes["/api/status"] = [&](const metrics::HttpRequest&) -> metrics::HttpResponse {
    auto status = source.get();
    if (!status) return ledger_unavailable(status.error(), redactor);
    return {.status = 200,
            .content_type = "application/json",
            .body = redactor.apply(status_json_text(*status))};
  };
  server_options.routes["/metrics"] = [&](const metrics::HttpRequest&) -> metrics::HttpResponse {
    return {.status = 200,
            .content_type = metrics::kExpositionContentType,
            .body = redactor.apply(exposition.text())};
  };

  // The run's own view of its S3 clients (endpoint health, concurrency), when
  // it serves metrics at metrics.listen; no proxy: the run is this job's.
  http::NetworkOptions network;
  network.connect_timeout = std::chrono::seconds(2);
  http::CurlTransport run_transport(network);
  server_options.routes["/api/run"] = [&](const metrics::HttpRequest&) -> metrics::HttpResponse {
    nlohmann::json health;
    if (config->metrics.listen.empty()) {
      health = {{"error", "no metrics.listen in the config: a run that serves metrics there shows its endpoints here"}};
    } else {
      health = metrics::fetch_run_health(*http::parse_listen_address(config->metrics.listen), run_transport);
    }
    return {.status = 200,
            .content_type = "application/json",
            .body = redactor.apply(health.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n")};
  };

  server_options.routes["/api/history"] = [&](const metrics::HttpRequest&) -> metrics::HttpResponse {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : source.history())
      points.push_back({{"at", format_iso8601(p.at)},
                        {"verified_bytes", p.verified_bytes},
                        {"bytes_per_second", p.bytes_per_second ? nlohmann::json(*p.bytes_per_second) : nlohmann::json()}});
    return {.status = 200, .content_type = "application/json", .body = points.dump() + "\n"};
  };

  // Blocked before the server's threads start, so they inherit the mask and
  // the signals wait for sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = metrics::HttpServer::start(std::move(server_options));
  if (!server) return report_failure(server.error(), redactor);
  std::cerr << "s5j: serving the status of job " << config->job << " at " << (*server)->url() << "/"
            << (token.empty() ? " (loopback only, no token)" : " (token required: Authorization: Bearer TOKEN or ?token=TOKEN)")
            << "; Ctrl-C ends\n"
            << std::flush;
  // The throughput chart's history grows while nobody watches too: a
  // reading every 30 s (page refreshes add theirs).
  std::jthread sampler([&source](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      (void)source.get();
      // Returns at the timeout, or at once when the stop is requested.
      wake.wait_for(lock, stop, std::chrono::seconds(30), [] { return false; });
    }
  });
  int signal = 0;
  ::sigwait(&stop_signals, &signal);
  return kOk;
}

}  // namespace s5j::cli
