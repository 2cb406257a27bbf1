// `s5j stage`, `s5j drain`, `s5j relay`: the staged relay (their
// src_sync_mvol.py, dest_sync_mvol.py and sync_mvol.py). stage copies the
// source onto the staging volumes, drain uploads the staged files to the
// destination, relay does both at once in one process. stage and drain may
// also run as two processes on one ledger, at the same time or one after the
// other (stage now at the edge, drain later). Continuous by default: when
// everything listed is done they keep scanning for new objects; --once ends
// when everything listed is done.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/client_events.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/version.h"
#include "cli/job_context.h"
#include "cli/landing_settings.h"
#include "ops/orphan_uploads.h"
#include "cli/output.h"
#include "cli/relay_output.h"
#include "cli/run_log.h"
#include "cli/run_exit_record.h"
#include "cli/run_commands.h"
#include "cli/progress_reporter.h"
#include "cli/run_metrics.h"
#include "metrics/run_families.h"
#include "cli/side_client.h"
#include "cli/signal_handling.h"
#include "cli/staging_mounts.h"
#include "ledger/ledger_error.h"
#include "log/event_log.h"
#include "s3/access_probe.h"
#include "staging/staging_error.h"
#include "staging/volume_lock.h"
#include "transfer/job_run.h"
#include "transfer/relay_engine.h"
#include "transfer/worker_pool.h"

namespace s5j::cli {
namespace {

using transfer::RelayRole;

transfer::RelaySettings settings_for(const config::Config& c, RelayRole role, const RelayOptions& options) {
  transfer::RelaySettings s;
  s.version = version_number();
  s.role = role;
  s.job = c.job;
  s.source_bucket = c.source.bucket;
  s.source_prefix = c.source.prefix;
  s.destination_bucket = c.destination.bucket;
  s.destination_prefix = c.destination.prefix;
  s.part_size = c.transfer.part_size;
  s.multipart_threshold = c.transfer.multipart_threshold;
  if (c.destination.region == "snow") s.destination_max_part_size = 512ull << 20;
  s.checksum_algorithm = c.destination.checksum_algorithm;
  s.landing = landing_settings_for(c.destination.landing);
  s.staging = staging_options_for(c);
  s.workers = options.workers > 0 ? options.workers : c.transfer.workers;
  s.part_threads = std::min(s.workers, transfer::kMaxPartThreads);
  s.list_workers = c.transfer.list_workers;
  s.memory_budget = c.transfer.memory_budget;
  s.max_batch_bytes = c.staging.max_batch_bytes;
  s.once = options.once;
  s.scan_interval = c.staging.scan_interval;
  s.refusal_first_retry = c.staging.refusal_retry;
  s.refusal_max_retry = std::max(c.staging.refusal_retry, transfer::RelaySettings{}.refusal_max_retry);
  s.lease = c.ledger.lease_timeout;
  s.ledger_unavailable_limit = c.ledger.unavailable_limit;
  return s;
}

}  // namespace

int run_relay_command(RelayRole role, const RelayOptions& options, RunOutcome* outcome) {
  auto config = load_config_for_command(options.config_path, options.config_warnings);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);

  // Each side only where the role works on it: the stage side may not see
  // the destination at all, nor the drain side the source.
  std::unique_ptr<s3::S3Client> source, destination;
  if (role != RelayRole::drain) {
    auto c = make_side_client(config->source, config->transfer);
    if (!c) return report_failure(c.error(), redactor);
    source = std::move(*c);
  }
  if (role != RelayRole::stage) {
    auto c = make_side_client(config->destination, config->transfer);
    if (!c) return report_failure(c.error(), redactor);
    destination = std::move(*c);
  }
  auto events = open_run_log(*config, transfer::to_string(role), redactor);
  if (!events) return report_failure(events.error(), redactor);

  // A staging volume on the root disk or tmpfs: refused (staging.require_mounts)
  // before either side is contacted, else warned about once the sides answered.
  const auto mount_problems = role != RelayRole::drain ? staging_mount_problems(*config) : std::vector<std::string>{};
  if (int code = refuse_unmounted_volumes(*config, mount_problems, redactor, **events); code != kOk) return code;

  std::shared_ptr<ClientTally> source_tally, destination_tally;
  if (source) source_tally = log_client_health(*source, "source", **events);
  if (destination) destination_tally = log_client_health(*destination, "destination", **events);
  auto metrics = RunMetrics::start(*config, options.metrics_address, **events);
  if (!metrics) return report_failure(metrics.error(), redactor);
  if (*metrics && source) (*metrics)->watch_client("source", *source);
  if (*metrics && destination) (*metrics)->watch_client("destination", *destination);

  // Each leg checks its side before the first byte moves and before the
  // ledger is touched: a relay must not fill the volumes for a destination
  // that refuses it (or stage at all when the source does), and `--once`
  // must end at once with the code. Their retries (a clock skew corrected)
  // are logged as the engine logs its own.
  if (source) {
    source->set_observer(transfer::log_retries(**events, "source"));
    if (auto readable = s3::probe_readable(*source, config->source.bucket, config->source.prefix); !readable)
      return report_failure(on_side("source", readable.error()), redactor);
  }
  if (destination) {
    destination->set_observer(transfer::log_retries(**events, "destination"));
    auto writable = s3::probe_writable(*destination, config->destination.bucket, config->destination.prefix,
                                       landing_settings_for(config->destination.landing).options);
    if (!writable) return report_failure(on_side("destination", writable.error()), redactor);
  }

  warn_unmounted_volumes(mount_problems, redactor, **events, options.config_warnings);

  auto ledger = open_job_ledger(*config);
  if (!ledger) return ledger_failure(ledger.error(), redactor);

  // This ledger's claim on the job's staging directories, held until the
  // process ends: another ledger's run of the same job is refused there.
  const std::string ledger_place = redactor.apply((*ledger)->location());
  auto volume_lock = staging::VolumeLock::acquire(staging_volume_paths(*config), config->job,
                                                  "job " + config->job + " in ledger " + ledger_place, ledger_place);
  if (!volume_lock) return staging_failure(volume_lock.error(), redactor);
  for (const auto& previous : (*volume_lock)->taken_over())
    (*events)->emit("staging_lock_taken_over", {{"previous", previous}});

  transfer::RelayEngine engine(settings_for(*config, role, options), source.get(), destination.get(), **ledger,
                               **events);
  const auto run_watch = watch_run_if(metrics->get(), [&engine](metrics::Families& out) {
    const auto p = engine.progress();
    metrics::append_run_families(
        engine.tally(),
        {.listing = p.planning, .waiting_for_space = p.waiting_for_space,
         .listed_objects = p.listed_objects},
        out);
  });
  std::optional<metrics::JobStatusSource> progress_status_storage;
  Result<transfer::RelayReport> report = make_error(ErrorKind::fatal, "NotRun", "");
  const auto began = std::chrono::system_clock::now();
  {
    SignalHandling signals([&engine] { engine.request_stop(); });
    std::optional<ProgressReporter> progress;
    if (!options.no_progress) {
      auto* status = progress_status(metrics->get(), *config, progress_status_storage);
      progress.emplace([&engine, role, status] { return relay_progress_line(role, engine.progress(), status); },
                       ::isatty(STDERR_FILENO) != 0, interval_of(options.progress_interval));
    }
    report = engine.run();
  }
  if (source_tally) emit_client_summary(*source_tally, *source, **events);
  if (destination_tally) emit_client_summary(*destination_tally, *destination, **events);
  // The run record gets the code the process exits with.
  const int exit_code = [&]() -> int {
    if (!report) {
      if (report.error().code == staging::kStagingError) return staging_failure(report.error(), redactor);
      if (ledger::is_ledger_error(report.error())) return ledger_failure(report.error(), redactor);
      return report_failure(report.error(), redactor);
    }

    // A complete upload side leaves no upload of its own open; any under the
    // prefix the ledger does not know is an orphan (best effort).
    if (destination && report->complete()) ops::sweep_orphan_uploads(*destination, *config, **ledger, **events);

    const auto& r = *report;
    if (outcome) outcome->stopped = r.stopped;
    std::cout << redactor.apply(relay_summary(r)) << "\n";
    if (auto refused = report_failed_objects(r.failed_objects, r.failures, {source_tally.get(), destination_tally.get()},
                                             redactor, (*events)->path()))
      return *refused;
    if (!r.stopped && r.remaining_objects > 0 && role == RelayRole::drain)
      std::cerr << "s5j: " << r.remaining_objects
                << " objects are not staged (or were sent back to be fetched again): run s5j stage, then s5j drain\n";
    if (r.stopped) std::cerr << "s5j: " << relay_stop_text(r) << "\n";
    return r.complete() || r.stopped ? kOk : kIncomplete;
  }();
  record_exit_code(**ledger, config->job, began, exit_code);
  return exit_code;
}

namespace {

void add_one(CLI::App& app, CommandAction& action, RelayRole role, const std::string& help) {
  auto options = std::make_shared<RelayOptions>();
  auto* cmd = app.add_subcommand(std::string(transfer::to_string(role)), help);
  cmd->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  cmd->add_flag("--once", options->once,
                "stop when everything listed is done, instead of scanning for new objects every staging.scan_interval");
  cmd->add_option("--workers", options->workers, "objects in flight per leg (default: transfer.workers)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--no-progress", options->no_progress,
                "no progress line (on a terminal: redrawn every second; otherwise: a line every minute)");
  add_metrics_address_option(*cmd, options->metrics_address);
  add_progress_interval_option(*cmd, options->progress_interval);
  cmd->callback([&action, options, role] { action = [options, role] { return run_relay_command(role, *options); }; });
}

}  // namespace

void add_relay_commands(CLI::App& app, CommandAction& action) {
  add_one(app, action, RelayRole::stage,
          "copy the source onto the staging volumes, verified (the upload leg is `s5j drain`)");
  add_one(app, action, RelayRole::drain,
          "upload the staged files to the destination, verified end to end, and free the volumes");
  add_one(app, action, RelayRole::relay, "stage and drain at once: source -> staging volumes -> destination");
}

}  // namespace s5j::cli
