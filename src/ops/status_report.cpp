#include "ops/status_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "base/clock.h"
#include "base/strings.h"
#include "staging/recovery_scan.h"
#include "staging/space_manager.h"
#include "staging/staging_layout.h"

namespace s5j::ops {
namespace {

using ledger::ObjectState;
using ledger::TimePoint;
using Json = nlohmann::json;

double seconds_between(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

struct VerifiedScan {
  uint64_t last_minute_bytes = 0;
  uint64_t run_bytes = 0;
  std::optional<TimePoint> run_latest;  // newest verification inside the run
};

// Sums verified records by their updated_at (when they became verified:
// `verified` is never left, so the record is not written again). Walks the
// verified records page by page in key order; the caller bounds the size.
Result<VerifiedScan> scan_verified(ledger::Ledger& ledger, ledger::JobId job, TimePoint minute_ago,
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

std::string format_duration(double seconds) {
  auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  char buf[64];
  if (s >= 86400)
    std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600), static_cast<long long>(s % 3600 / 60));
  else if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

std::string format_rate(double bytes_per_second) {
  return human_bytes(static_cast<uint64_t>(std::llround(bytes_per_second))) + "/s";
}

std::string bytes_text(uint64_t bytes) { return std::to_string(bytes) + " (" + human_bytes(bytes) + ")"; }

Json optional_time(const std::optional<TimePoint>& t) { return t ? Json(format_iso8601(*t)) : Json(nullptr); }

// The active run's activity in words, e.g. "waiting for staging space (a
// write of 5.0 MiB waits for the drain to free room), since <time> (2m 00s ago)".
std::string activity_text(const ledger::RunActivity& a, TimePoint now) {
  std::string out;
  if (a.name == "waiting_for_space") {
    out = "waiting for staging space";
    if (a.wanted_bytes) out += " (a write of " + human_bytes(*a.wanted_bytes) + " waits for the drain to free room)";
  } else if (a.name == "scanning") {
    out = a.next_scan_at ? "scanning: everything listed is done; next listing of the source at " +
                               format_iso8601(*a.next_scan_at)
                         : "scanning: listing the source for new objects";
  } else if (a.name == "idle") {
    out = "idle (nothing to do now)";
  } else {
    out = a.name;
  }
  return out + ", since " + format_iso8601(a.since) + " (" + format_duration(seconds_between(a.since, now)) + " ago)";
}

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json activity_json(const std::optional<ledger::RunActivity>& activity) {
  if (!activity) return nullptr;
  return {{"name", activity->name},
          {"since", format_iso8601(activity->since)},
          {"wanted_bytes", activity->wanted_bytes ? Json(*activity->wanted_bytes) : Json(nullptr)},
          {"next_scan_at", optional_time(activity->next_scan_at)}};
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
  if (running) {
    double rate = report.throughput.last_minute.value_or(0);
    if (rate <= 0) rate = report.throughput.since_run_start.value_or(0);
    if (report.remaining_bytes == 0)
      report.eta_seconds = 0.0;
    else if (rate > 0)
      report.eta_seconds = static_cast<double>(report.remaining_bytes) / rate;
  }

  if (report.mode == ledger::JobMode::staged) collect_staging(config, report);

  auto errors = ledger.recent_errors(job, kStatusErrorWindow);
  if (!errors) return std::unexpected(errors.error());
  group_errors(*errors, report);
  return report;
}

Json StatusReport::to_json() const {
  Json j;
  j["job"] = job;
  j["ledger"] = ledger;
  j["generated_at"] = format_iso8601(generated_at);
  j["job_exists"] = job_exists;
  j["mode"] = job_exists ? Json(std::string(ledger::to_string(mode))) : Json(nullptr);
  j["states"] = Json::array();
  for (const auto& s : states)
    j["states"].push_back(
        {{"state", std::string(ledger::to_string(s.state))}, {"objects", s.objects}, {"bytes", s.bytes}});
  j["total"] = {{"objects", total_objects}, {"bytes", total_bytes}};
  j["remaining"] = {{"objects", remaining_objects}, {"bytes", remaining_bytes}};
  if (run) {
    j["run"] = {{"active", run->active},
                {"pid", run->pid},
                {"host", run->host},
                {"command", run->command},
                {"role", run->role},
                {"started_at", optional_time(run->started_at)},
                {"ended_at", optional_time(run->ended_at)},
                {"outcome", run->outcome},
                {"exit_code", run->exit_code ? Json(*run->exit_code) : Json(nullptr)}};
    j["run"]["activity"] = activity_json(run->activity);
    j["run"]["also_active"] = Json::array();
    for (const auto& h : run->also_active)
      j["run"]["also_active"].push_back({{"pid", h.pid},
                                         {"host", h.host},
                                         {"role", h.role},
                                         {"started_at", format_iso8601(h.acquired_at)},
                                         {"activity", activity_json(h.activity)}});
  } else {
    j["run"] = nullptr;
  }
  j["throughput"] = {{"last_minute_bytes_per_second", optional_number(throughput.last_minute)},
                     {"since_run_start_bytes_per_second", optional_number(throughput.since_run_start)},
                     {"basis", throughput.basis.empty() ? "none" : throughput.basis}};
  j["eta_seconds"] = optional_number(eta_seconds);
  if (staging) {
    Json vols = Json::array();
    for (const auto& v : *staging) {
      vols.push_back({{"path", v.path},
                      {"total_bytes", v.total_bytes},
                      {"free_bytes", v.free_bytes},
                      {"usable_bytes", v.usable_bytes},
                      {"staged_files", v.staged_files},
                      {"staged_bytes", v.staged_bytes},
                      {"partial_files", v.partial_files},
                      {"partial_bytes", v.partial_bytes},
                      {"error", v.error.empty() ? Json(nullptr) : Json(v.error)}});
    }
    j["staging"] = {{"volumes", vols}, {"error", staging_error.empty() ? Json(nullptr) : Json(staging_error)}};
  } else {
    j["staging"] = nullptr;
  }
  Json kinds = Json::array();
  for (const auto& e : errors)
    kinds.push_back({{"kind", e.kind},
                     {"count", e.count},
                     {"latest_at", format_iso8601(e.latest_at)},
                     {"latest_key", e.latest_key},
                     {"latest_message", e.latest_message}});
  j["errors"] = {{"examined", errors_examined}, {"kinds", kinds}};
  return j;
}

std::string StatusReport::to_text() const {
  std::string out = "job " + job;
  if (!job_exists) return out + ": no runs yet (ledger " + ledger + " has no record of this job)\n";
  out += " (" + std::string(mode == ledger::JobMode::staged ? "staged relay" : "direct sync") + "), ledger " +
         ledger + "\n";
  if (!run) {
    out += "run: none recorded yet\n";
  } else if (run->active) {
    out += "run: ACTIVE as pid " + std::to_string(run->pid) + " on " + run->host;
    if (!run->command.empty()) out += " (" + run->command + (run->role.empty() ? "" : ", role " + run->role) + ")";
    if (run->started_at)
      out += ", started " + format_iso8601(*run->started_at) + " (" +
             format_duration(seconds_between(*run->started_at, generated_at)) + " ago)";
    out += "\n";
    if (run->activity) out += "activity: " + activity_text(*run->activity, generated_at) + "\n";
    for (const auto& h : run->also_active) {
      out += "also active: pid " + std::to_string(h.pid) + " on " + h.host +
             (h.role.empty() ? "" : " (role " + h.role + ")") + ", started " + format_iso8601(h.acquired_at) + "\n";
      if (h.activity) out += "  activity: " + activity_text(*h.activity, generated_at) + "\n";
    }
  } else {
    out += "run: none active; last was pid " + std::to_string(run->pid) + " on " + run->host;
    if (run->started_at) out += ", started " + format_iso8601(*run->started_at);
    if (run->ended_at)
      out += ", ended " + format_iso8601(*run->ended_at) + " (" + (run->outcome.empty() ? "?" : run->outcome) +
             (run->exit_code ? ", exit " + std::to_string(*run->exit_code) : std::string()) + ")";
    else
      out += ", did not finish (the process is gone)";
    out += "\n";
  }
  char line[160];
  std::snprintf(line, sizeof line, "%-12s %12s %20s\n", "state", "objects", "bytes");
  out += line;
  auto row = [&](std::string_view name, uint64_t objects, uint64_t bytes) {
    std::snprintf(line, sizeof line, "%-12.*s %12llu %20llu  %s\n", static_cast<int>(name.size()), name.data(),
                  static_cast<unsigned long long>(objects), static_cast<unsigned long long>(bytes),
                  human_bytes(bytes).c_str());
    out += line;
  };
  for (const auto& s : states) row(ledger::to_string(s.state), s.objects, s.bytes);
  row("total", total_objects, total_bytes);
  row("remaining", remaining_objects, remaining_bytes);

  out += "throughput: ";
  if (throughput.last_minute)
    out += format_rate(*throughput.last_minute) + " over the last minute";
  else
    out += "last minute unknown (job too large to scan each time; --watch measures it between refreshes)";
  if (throughput.since_run_start) out += ", " + format_rate(*throughput.since_run_start) + " since the run started";
  out += "\n";
  if (remaining_objects == 0 && total_objects > 0)
    out += "ETA: nothing remaining; every object listed is verified\n";
  else if (eta_seconds)
    out += "ETA: " + format_duration(*eta_seconds) + " for " + bytes_text(remaining_bytes) + "\n";
  else if (run && run->active)
    out += "ETA: unknown (nothing verified recently)\n";

  if (staging) {
    out += "staging volumes:";
    if (!staging_error.empty()) out += " " + staging_error;
    out += "\n";
    for (const auto& v : *staging) {
      out += "  " + v.path + ": ";
      if (!v.error.empty() && v.total_bytes == 0) {
        out += "ERROR " + v.error + "\n";
        continue;
      }
      out += std::to_string(v.staged_files) + " staged files, " + bytes_text(v.staged_bytes) + "; ";
      out += std::to_string(v.partial_files) + " partial, " + human_bytes(v.partial_bytes) + "; free " +
             human_bytes(v.free_bytes) + " of " + human_bytes(v.total_bytes) + " (usable " +
             human_bytes(v.usable_bytes) + ")";
      if (!v.error.empty()) out += "; " + v.error;
      out += "\n";
    }
  }
  if (errors.empty()) {
    out += "errors: none recorded\n";
  } else {
    out += "errors (the " + std::to_string(errors_examined) + " most recent, by kind):\n";
    for (const auto& e : errors) {
      out += "  " + e.kind + ": " + std::to_string(e.count) + ", latest " + format_iso8601(e.latest_at) + " " +
             Json(e.latest_key).dump(-1, ' ', false, Json::error_handler_t::replace) + ": " + e.latest_message +
             "\n";
    }
  }
  return out;
}

}  // namespace s5j::ops
