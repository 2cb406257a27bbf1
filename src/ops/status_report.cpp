#include "ops/status_report.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <map>

#include "base/clock.h"
#include "ledger/size_class.h"
#include "ops/eta.h"
#include "staging/recovery_scan.h"
#include "staging/space_manager.h"
#include "staging/staging_layout.h"

namespace s5j::ops {
namespace {

using ledger::ObjectState;
using ledger::TimePoint;

double seconds_between(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

struct VerifiedScan {
  uint64_t last_minute_bytes = 0;
  uint64_t run_bytes = 0;
  std::optional<TimePoint> run_latest;  // newest verification inside the run
};

// Sums verified records by their updated_at (when they became verified:
// `verified` is never left, so the record is not written again). Walks the
// verified records page by page in key order; the caller bounds the size.
Result<VerifiedScan> scan_verified(ledger::ObjectCatalog& ledger, ledger::JobId job, TimePoint minute_ago,
                                   std::optional<TimePoint> run_start, std::optional<TimePoint> run_end) {
  VerifiedScan scan;
  ledger::ListQuery query;
  query.state = ObjectState::verified;
  query.limit = 1000;
  for (;;) {
    auto page = ledger.list_objects(job, query);
    if (!page) return std::unexpected(page.error());
    for (const auto& r : *page) {
      if (r.updated_at >= minute_ago) scan.last_minute_bytes += r.size;
      if (run_start && r.updated_at >= *run_start && (!run_end || r.updated_at <= *run_end)) {
        scan.run_bytes += r.size;
        if (!scan.run_latest || r.updated_at > *scan.run_latest) scan.run_latest = r.updated_at;
      }
    }
    if (page->size() < query.limit) return scan;
    query.after_key = page->back().key;
  }
}

// Verified-bytes readings of successive refreshes; the rate over the last
// minute is the growth between the oldest reading in the window and now.
std::optional<double> sampled_rate(VerifiedSamples& samples, uint64_t verified_bytes) {
  const auto now = SystemClock::instance().steady_now();
  samples.points.emplace_back(now, verified_bytes);
  while (samples.points.size() > 2 && now - samples.points[1].first >= std::chrono::seconds(60))
    samples.points.pop_front();
  if (samples.points.size() < 2) return std::nullopt;
  const auto& [t0, b0] = samples.points.front();
  const double dt = std::chrono::duration<double>(now - t0).count();
  if (dt <= 0) return std::nullopt;
  // A reset or a changed source object can shrink the verified total.
  return verified_bytes > b0 ? static_cast<double>(verified_bytes - b0) / dt : 0.0;
}

void collect_staging(const config::Config& config, StatusReport& report) {
  std::vector<VolumeStatus> volumes;
  const auto paths = staging_volume_paths(config);
  if (paths.empty()) {
    report.staging_error = "no staging volumes: set staging.volumes, or create " + config.staging.volume_pattern +
                           "01 (staging.volume_pattern)";
  } else if (auto valid = staging::validate_job_name(config.job); !valid) {
    report.staging_error = valid.error().message;
  }
  if (!report.staging_error.empty()) {
    report.staging = volumes;
    return;
  }
  // Only volumes whose filesystem answers go to the scan and the space
  // figures; the others are reported with the reason. Nothing is created:
  // Stager::open would make the job's directories, status must not.
  std::vector<std::string> readable;
  std::vector<size_t> report_index;
  for (const auto& path : paths) {
    VolumeStatus v{.path = path};
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      v.error = "missing or not a directory (create it, or fix staging.volumes / staging.volume_pattern)";
    } else if (auto fs = staging::system_fs_stats(path); !fs) {
      v.error = fs.error().message;
    } else {
      readable.push_back(path);
      report_index.push_back(volumes.size());
    }
    volumes.push_back(std::move(v));
  }
  if (!readable.empty()) {
    auto scan = staging::scan_staging(readable, config.job);
    if (!scan) {
      report.staging_error = scan.error().message;
    } else {
      for (const auto& e : scan->complete) {
        auto& v = volumes[report_index[e.volume_index]];
        ++v.staged_files;
        v.staged_bytes += e.size;
      }
      for (const auto& e : scan->partial) {
        auto& v = volumes[report_index[e.volume_index]];
        ++v.partial_files;
        v.partial_bytes += e.size;
      }
    }
    staging::SpaceOptions options;
    options.reserve_bytes = config.staging.reserve_bytes;
    options.volume_limit_bytes = config.staging.volume_limit_bytes;  // usable within the job's limit
    auto space = staging::SpaceManager::create(readable, options);
    if (space) {
      for (size_t i = 0; i < readable.size(); ++i) (*space)->add_staged(i, volumes[report_index[i]].staged_bytes);
      const auto usage = (*space)->usage();
      for (size_t i = 0; i < usage.size(); ++i) {
        auto& v = volumes[report_index[i]];
        v.total_bytes = usage[i].total_bytes;
        v.free_bytes = usage[i].free_bytes;
        v.usable_bytes = usage[i].usable_bytes;
        if (!usage[i].error.empty()) v.error = usage[i].error;
      }
    } else {
      report.staging_error = space.error().message;
    }
  }
  report.staging = std::move(volumes);
}

void group_errors(const std::vector<ledger::ErrorEntry>& entries, StatusReport& report) {
  report.errors_examined = entries.size();
  std::map<std::string, size_t> index;
  for (const auto& e : entries) {  // newest first: the first of a kind is its latest
    const std::string kind = error_kind(e.error);
    auto [it, inserted] = index.try_emplace(kind, report.errors.size());
    if (inserted)
      report.errors.push_back({.kind = kind, .count = 0, .latest_at = e.at, .latest_key = e.key,
                               .latest_message = e.error});
    ++report.errors[it->second].count;
  }
}

// The live processes of the job, one per owner (a relay holds two roles
// under one owner), in the ledger's order of their first lock row.
std::vector<WorkerStatus> live_workers(const std::vector<ledger::LockHolder>& holders, TimePoint now) {
  std::vector<WorkerStatus> out;
  std::vector<std::string> owners;
  for (const auto& h : holders) {
    if (h.expires_at <= now || !holder_alive(h)) continue;
    const auto at = std::find(owners.begin(), owners.end(), h.owner);
    if (at != owners.end()) {
      out[static_cast<size_t>(at - owners.begin())].roles.push_back(h.role);
      continue;
    }
    owners.push_back(h.owner);
    out.push_back({.host = h.host, .pid = h.pid, .roles = {h.role}, .last_heartbeat = h.renewed_at,
                   .expires_at = h.expires_at, .activity = h.activity,
                   .figures = transfer::parse_run_figures(h.figures)});
  }
  return out;
}

}  // namespace

std::string error_kind(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 64) return "other";
  for (char c : text.substr(0, colon))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return "other";
  return std::string(text.substr(0, colon));
}

Result<StatusReport> collect_status(const config::Config& config, JobContext& context, VerifiedSamples* samples) {
  StatusReport report;
  report.job = config.job;
  report.ledger = context.ledger ? context.ledger->location() : config.ledger.path;
  report.generated_at = SystemClock::instance().now();
  if (!context.ledger || !context.job) return report;
  ledger::Ledger& ledger = *context.ledger;
  const ledger::JobId job = context.job->id;
  report.job_exists = true;
  report.mode = context.job->mode;

  auto totals = ledger.totals(job);
  if (!totals) return std::unexpected(totals.error());
  report.states = *totals;
  uint64_t verified_bytes = 0;
  for (const auto& t : report.states) {
    report.total_objects += t.objects;
    report.total_bytes += t.bytes;
    if (t.state == ObjectState::verified) verified_bytes = t.bytes;
    if (t.state != ObjectState::verified && t.state != ObjectState::vanished) {
      report.remaining_objects += t.objects;
      report.remaining_bytes += t.bytes;
    }
  }

  auto active = find_active_run(ledger, job);
  if (!active) return std::unexpected(active.error());
  auto runs = ledger.runs(job, 1);
  if (!runs) return std::unexpected(runs.error());
  if (*active) {
    const auto& a = **active;
    report.run = RunStatus{.active = true, .pid = a.holder.pid, .host = a.holder.host, .command = a.command,
                           .role = a.holder.role, .started_at = a.started_at, .ended_at = std::nullopt,
                           .outcome = {}, .exit_code = {}, .activity = a.holder.activity,
                           .also_active = a.other_processes};
  } else if (!runs->empty()) {
    const auto& r = runs->front();
    report.run = RunStatus{.active = false, .pid = r.start.pid, .host = r.start.host, .command = r.start.command,
                           .role = {}, .started_at = r.started_at, .ended_at = r.ended_at, .outcome = r.outcome,
                           .exit_code = r.exit_code};
  }

  const TimePoint now = report.generated_at;
  const bool running = report.run && report.run->active;
  // No active run: no live holder, so no worker either.
  if (*active) report.workers = live_workers((*active)->holders, now);
  auto by_size = ledger.totals_by_size_class(job);
  if (!by_size) return std::unexpected(by_size.error());
  std::array<SizeClassRemaining, ledger::kSizeClasses> left{};
  for (const auto& t : *by_size) {
    if (t.state == ObjectState::verified || t.state == ObjectState::vanished) continue;
    if (t.size_class < 0 || t.size_class >= ledger::kSizeClasses) continue;
    left[static_cast<size_t>(t.size_class)].objects += t.objects;
    left[static_cast<size_t>(t.size_class)].bytes += t.bytes;
  }
  for (int c = 0; c < ledger::kSizeClasses; ++c) {
    auto& l = left[static_cast<size_t>(c)];
    if (l.objects == 0) continue;
    l.size_class = ledger::size_class_name(c);
    report.remaining_by_size.push_back(std::move(l));
  }
  // The scan walks the job's (job_id, key) index and filters on state, so
  // its cost follows the job's size, not the number verified.
  if (report.total_objects <= kMaxThroughputScan) {
    std::optional<TimePoint> start, end;
    if (report.run) start = report.run->started_at, end = report.run->ended_at;
    auto scan = scan_verified(ledger, job, now - std::chrono::seconds(60), start, end);
    if (!scan) return std::unexpected(scan.error());
    report.throughput.basis = "ledger";
    // A run younger than a minute has verified for less than a minute:
    // dividing by 60 s would understate its rate and inflate the ETA.
    double window = 60.0;
    if (running && start) window = std::clamp(seconds_between(*start, now), 1.0, 60.0);
    report.throughput.last_minute = static_cast<double>(scan->last_minute_bytes) / window;
    if (start) {
      // A run that died without end_run ends, for this figure, at its last
      // verification.
      const TimePoint stop = running ? now : end ? *end : scan->run_latest.value_or(*start);
      const double elapsed = seconds_between(*start, stop);
      if (elapsed >= 1.0) report.throughput.since_run_start = static_cast<double>(scan->run_bytes) / elapsed;
    }
    if (samples) (void)sampled_rate(*samples, verified_bytes);
  } else if (samples) {
    report.throughput.last_minute = sampled_rate(*samples, verified_bytes);
    report.throughput.basis = report.throughput.last_minute ? "samples" : "none";
  } else {
    report.throughput.basis = "none";
  }
  // Too large to scan, and no --watch samples yet: the live workers say
  // what they verified per second over their last minute.
  if (!report.throughput.last_minute) {
    std::optional<double> published;
    for (const auto& w : report.workers)
      if (w.figures)
        for (const auto& l : w.figures->legs)
          if (l.leg == "copy" || l.leg == "drain") published = published.value_or(0) + l.bytes_per_second;
    if (published) {
      report.throughput.last_minute = published;
      report.throughput.basis = "workers";
    }
  }
  if (running) {
    std::vector<transfer::RunFigures> paces;
    for (const auto& w : report.workers)
      if (w.figures) paces.push_back(*w.figures);
    auto eta = estimate_eta(*by_size, paces);
    double rate = report.throughput.last_minute.value_or(0);
    if (rate <= 0) rate = report.throughput.since_run_start.value_or(0);
    if (eta.seconds) {
      report.eta_seconds = eta.seconds;
      report.eta_basis = "size_classes";
      report.eta_inferred_classes = std::move(eta.inferred_classes);
    } else if (report.remaining_bytes == 0) {
      report.eta_seconds = 0.0;
      report.eta_basis = "recent_bytes";
    } else if (rate > 0) {
      report.eta_seconds = static_cast<double>(report.remaining_bytes) / rate;
      report.eta_basis = "recent_bytes";
    }
  }

  if (report.mode == ledger::JobMode::staged) collect_staging(config, report);

  auto errors = ledger.recent_errors(job, kStatusErrorWindow);
  if (!errors) return std::unexpected(errors.error());
  group_errors(*errors, report);
  return report;
}

}  // namespace s5j::ops
