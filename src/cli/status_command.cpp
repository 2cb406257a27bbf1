// `s5j status`: the command line, the output (text or JSON, once or every
// --watch seconds) and the exit code; the figures are ops/status_report.h.

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_context.h"
#include "cli/output.h"
#include "cli/run_metrics.h"
#include "cli/status_serve.h"
#include "cli/status_output.h"
#include "ops/status_report.h"

namespace s5j::cli {
namespace {

using Json = nlohmann::json;
using ops::collect_status;
using ops::VerifiedSamples;

struct StatusOptions {
  std::string config_path = "config.yaml";
  bool json = false;
  std::optional<double> watch_seconds;
  std::string serve_address;  // --serve HOST:PORT
  std::string token_file;     // --serve-token-file
};

int run_status_command(const StatusOptions& options) {
  if (!options.serve_address.empty())
    return serve_status({.config_path = options.config_path,
                         .address = options.serve_address,
                         .token_file = options.token_file});
  auto config = load_config_for_command(options.config_path);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);
  const bool watch = options.watch_seconds.has_value();
  const bool clear = watch && !options.json && ::isatty(STDOUT_FILENO);

  // --watch ends on SIGINT/SIGTERM: blocked here and taken synchronously by
  // sigtimedwait between refreshes, so the wait is the refresh timer too.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (watch) ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  VerifiedSamples samples;
  for (;;) {
    // Reopened every refresh: the ledger or the job may appear meanwhile.
    auto context = open_job_context(*config, /*create_if_missing=*/false);
    if (!context) return ledger_failure(context.error(), redactor);
    auto report = collect_status(*config, *context, watch ? &samples : nullptr);
    if (!report) return ledger_failure(report.error(), redactor);
    std::string text = options.json ? status_json(*report).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"
                                    : status_text(*report);
    if (clear) text = "\x1b[H\x1b[2J" + text;
    std::cout << redactor.apply(std::move(text)) << std::flush;
    if (!watch) return kOk;
    const double secs = *options.watch_seconds;
    timespec wait{.tv_sec = static_cast<time_t>(secs),
                  .tv_nsec = static_cast<long>((secs - std::floor(secs)) * 1e9)};
    const int sig = ::sigtimedwait(&stop_signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) return kOk;
  }
}

}  // namespace

void add_status_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "show a job's progress, throughput, staging volumes and recent errors");
  cmd->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  cmd->add_flag("--json", options->json, "print one JSON object (per refresh with --watch)");
  cmd->add_option("--watch", options->watch_seconds, "refresh every SECONDS (default 2) until interrupted")
      ->expected(0, 1)
      ->default_str("2")
      ->check(CLI::Range(0.05, 86400.0));
  auto* serve = cmd->add_option("--serve", options->serve_address,
                                "serve a live status page, /api/status and /metrics on HOST:PORT "
                                "(e.g. 127.0.0.1:8080) until interrupted")
                    ->type_name("HOST:PORT")
                    ->check(CLI::Validator(check_listen_address, "", "listen address"))
                    ->excludes("--json")
                    ->excludes("--watch");
  cmd->add_option("--serve-token-file", options->token_file,
                  "with --serve: require the token on this file's first line (needed off loopback)")
      ->type_name("FILE")
      ->needs(serve);
  cmd->callback([&action, options] { action = [options] { return run_status_command(*options); }; });
}

}  // namespace s5j::cli
