// `s5j sync`: direct bucket-to-bucket transfer (their s3_transfer.py), or
// with --dry-run the plan and its totals.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "base/strings.h"
#include "cli/client_events.h"
#include "cli/commands.h"
#include "ops/orphan_uploads.h"
#include "cli/exit_codes.h"
#include "cli/version.h"
#include "cli/output.h"
#include "cli/run_log.h"
#include "cli/run_exit_record.h"
#include "cli/run_commands.h"
#include "cli/side_client.h"
#include "cli/progress_reporter.h"
#include "cli/run_metrics.h"
#include "metrics/run_families.h"
#include "cli/signal_handling.h"
#include "cli/job_context.h"
#include "cli/landing_settings.h"
#include "log/event_log.h"
#include "s3/access_probe.h"
#include "transfer/job_run.h"
#include "transfer/sync_engine.h"
#include "transfer/worker_pool.h"

namespace s5j::cli {
namespace {

// Server-side copy needs the same server and an identity valid on both sides.
bool same_endpoints_and_credentials(const config::Config& c) {
  // An Outposts access point names its copy sources by ARN, which the
  // client does not build: such a job streams.
  if (c.source.outposts || c.destination.outposts) return false;
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  return sorted(c.source.endpoint_urls) == sorted(c.destination.endpoint_urls) &&
         c.source.access_key == c.destination.access_key &&
         c.source.secret_access_key == c.destination.secret_access_key && c.source.region == c.destination.region;
}

std::string duration_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", d.count() / 1000.0);
  return buf;
}

// The progress text: a bar of the bytes done, objects and bytes, the run's
// average rate, failures, and the ETA of `s5j status`.
std::string sync_progress_text(const transfer::SyncProgress& p, double seconds, metrics::JobStatusSource* status) {
  // The copy runs while the listing goes on: both counts.
  if (p.planning)
    return "listing: " + std::to_string(p.listed_objects) + " objects; " + std::to_string(p.done_objects) +
           " copied so far, " + human_bytes(p.done_bytes);
  const double rate = p.done_bytes / std::max(seconds, 0.001);
  std::string line = progress_bar(p.done_bytes, p.planned_bytes) + " " + std::to_string(p.done_objects) + "/" +
                     std::to_string(p.planned_objects) + " objects, " + human_bytes(p.done_bytes) + "/" +
                     human_bytes(p.planned_bytes) + ", " + human_bytes(static_cast<uint64_t>(rate)) + "/s";
  if (p.failed_objects > 0) line += ", " + std::to_string(p.failed_objects) + " failed";
  return line + eta_suffix(status);
}

int print_dry_run(ledger::Ledger& ledger, const std::string& job, const transfer::SyncReport& report,
                  const log::Redactor& redactor) {
  auto job_record = ledger.find_job(job);
  if (job_record && *job_record) {
    for (auto state : {ledger::ObjectState::pending, ledger::ObjectState::copying}) {
      ledger::ListQuery query{.limit = 1000, .state = state};
      for (;;) {
        auto page = ledger.list_objects((*job_record)->id, query);
        if (!page || page->empty()) break;
        for (const auto& r : *page)
          std::cout << redactor.apply("copy " + r.key + " (" + std::to_string(r.size) + " bytes)") << "\n";
        query.after_key = page->back().key;
      }
    }
  }
  const auto& p = report.plan;
  std::cout << "dry run: " << p.listed_objects << " objects listed (" << human_bytes(p.listed_bytes) << "); would copy "
            << p.pending_objects << " objects (" << p.pending_bytes << " bytes, " << human_bytes(p.pending_bytes)
            << "); " << p.verified_objects << " already verified, of which " << p.found_at_destination
            << " found identical at the destination\n";
  return kOk;
}

}  // namespace

int run_sync_command(const SyncOptions& options, RunOutcome* outcome) {
  auto config = load_config_for_command(options.config_path, options.config_warnings);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);

  auto source = make_side_client(config->source, config->transfer);
  if (!source) return report_failure(source.error(), redactor);
  auto destination = make_side_client(config->destination, config->transfer);
  if (!destination) return report_failure(destination.error(), redactor);

  auto events = open_run_log(*config, "sync", redactor);
  if (!events) return report_failure(events.error(), redactor);

  const auto source_tally = log_client_health(**source, "source", **events);
  const auto destination_tally = log_client_health(**destination, "destination", **events);
  auto metrics = RunMetrics::start(*config, options.metrics_address, **events);
  if (!metrics) return report_failure(metrics.error(), redactor);
  if (*metrics) {
    (*metrics)->watch_client("source", **source);
    (*metrics)->watch_client("destination", **destination);
  }

  // Each side is asked once before anything is listed, so a refused
  // credential or a missing bucket fails at once naming its side (the
  // engine's errors do not say which side they met). Their retries (a clock
  // skew corrected) are logged as the engine logs its own. A destination
  // that may list but not write is refused per object, naming the
  // permission.
  (*source)->set_observer(transfer::log_retries(**events, "source"));
  (*destination)->set_observer(transfer::log_retries(**events, "destination"));
  if (auto readable = s3::probe_readable(**source, config->source.bucket, config->source.prefix); !readable)
    return report_failure(on_side("source", readable.error()), redactor);
  auto listable = s3::probe_readable(**destination, config->destination.bucket, config->destination.prefix);
  if (!listable) return report_failure(on_side("destination", listable.error()), redactor);

  auto ledger = open_job_ledger(*config);
  if (!ledger) return report_failure(ledger.error(), redactor);

  transfer::SyncSettings settings;
  settings.version = version_number();
  settings.job = config->job;
  settings.copier.source_bucket = config->source.bucket;
  settings.copier.source_prefix = config->source.prefix;
  settings.copier.destination_bucket = config->destination.bucket;
  settings.copier.destination_prefix = config->destination.prefix;
  settings.copier.part_size = config->transfer.part_size;
  settings.copier.multipart_threshold = config->transfer.multipart_threshold;
  settings.copier.server_side_copy = config->transfer.server_side_copy && same_endpoints_and_credentials(*config);
  if (config->destination.region == "snow") settings.copier.destination_max_part_size = 512ull << 20;
  settings.copier.checksum_algorithm = config->destination.checksum_algorithm;
  settings.copier.landing = landing_settings_for(config->destination.landing);
  settings.workers = options.workers > 0 ? options.workers : config->transfer.workers;
  settings.part_threads = std::min(settings.workers, transfer::kMaxPartThreads);
  settings.list_workers = config->transfer.list_workers;
  settings.memory_budget = config->transfer.memory_budget;
  settings.dry_run = options.dry_run;
  settings.lease = config->ledger.lease_timeout;
  settings.ledger_unavailable_limit = config->ledger.unavailable_limit;

  transfer::SyncEngine engine(settings, **source, **destination, **ledger, **events);
  const auto run_watch = watch_run_if(metrics->get(), [&engine](metrics::Families& out) {
    const auto p = engine.progress();
    metrics::append_run_families(engine.tally(), {.listing = p.planning, .listed_objects = p.listed_objects}, out);
  });
  std::optional<metrics::JobStatusSource> progress_status_storage;
  Result<transfer::SyncReport> report = make_error(ErrorKind::fatal, "NotRun", "");
  const auto began = std::chrono::system_clock::now();
  {
    SignalHandling signals([&engine] { engine.request_stop(); });
    std::optional<ProgressReporter> progress;
    if (!options.no_progress && !options.dry_run) {
      const auto started = std::chrono::steady_clock::now();
      auto* status = progress_status(metrics->get(), *config, progress_status_storage);
      progress.emplace(
          [&engine, started, status] {
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            return sync_progress_text(engine.progress(), seconds, status);
          },
          ::isatty(STDERR_FILENO) != 0, interval_of(options.progress_interval));
    }
    report = engine.run();
  }
  emit_client_summary(*source_tally, **source, **events);
  emit_client_summary(*destination_tally, **destination, **events);
  // The run record gets the code the process exits with.
  const int exit_code = [&]() -> int {
    if (!report) return report_failure(report.error(), redactor);
    if (options.dry_run) return print_dry_run(**ledger, config->job, *report, redactor);

    // A complete run leaves no upload of its own open; any under the prefix
    // that the ledger does not know is an orphan (a lost Create answer, a
    // kill before the upload was recorded). Best effort: a failure is logged.
    if (report->complete()) ops::sweep_orphan_uploads(**destination, *config, **ledger, **events);

    const auto& r = *report;
    if (outcome) outcome->stopped = r.stopped;
    const double seconds = std::max(0.001, r.duration.count() / 1000.0);
    std::string summary;
    if (r.plan.pending_objects == 0 && r.copied_objects == 0 && r.failed_objects == 0) {
      summary = "nothing to copy: all " + std::to_string(r.plan.verified_objects) + " objects (" +
                human_bytes(r.plan.verified_bytes) + ") are verified at the destination";
    } else {
      summary = (r.stopped ? "sync stopped: " : r.complete() ? "sync complete: " : "sync incomplete: ") +
                std::to_string(r.copied_objects) + " objects copied and verified (" + human_bytes(r.copied_bytes) +
                ") in " + duration_text(r.duration) + " (" +
                human_bytes(static_cast<uint64_t>(r.copied_bytes / seconds)) + "/s)";
      if (r.server_side_copies > 0) summary += ", " + std::to_string(r.server_side_copies) + " by server-side copy";
      summary += "; " + std::to_string(r.plan.already_verified()) + " already verified";
      if (r.plan.found_at_destination > 0)
        summary += ", " + std::to_string(r.plan.found_at_destination) + " found identical at the destination";
      if (r.vanished_objects > 0) summary += ", " + std::to_string(r.vanished_objects) + " vanished at the source";
      if (r.failed_objects > 0) summary += ", " + std::to_string(r.failed_objects) + " FAILED";
    }
    std::cout << redactor.apply(summary) << "\n";
    if (auto refused = report_failed_objects(r.failed_objects, r.failures, {source_tally.get(), destination_tally.get()},
                                             redactor, (*events)->path()))
      return *refused;
    if (r.stopped) std::cerr << "s5j: stopped on request; run again to resume\n";
    return r.complete() || r.stopped ? kOk : kIncomplete;
  }();
  record_exit_code(**ledger, config->job, began, exit_code);
  return exit_code;
}

void add_sync_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<SyncOptions>();
  auto* sync = app.add_subcommand("sync", "copy what is missing or different from source to destination, verified");
  sync->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  sync->add_flag("--dry-run", options->dry_run,
                 "list and compare both sides and print what would be copied; copies nothing");
  sync->add_option("--workers", options->workers, "objects in flight (default: transfer.workers)")
      ->check(CLI::Range(1, 1024));
  sync->add_flag("--no-progress", options->no_progress,
                 "no progress line (on a terminal: redrawn every second; otherwise: a line every minute)");
  add_metrics_address_option(*sync, options->metrics_address);
  add_progress_interval_option(*sync, options->progress_interval);
  sync->callback([&action, options] { action = [options] { return run_sync_command(*options); }; });
}

}  // namespace s5j::cli
