#include "cli/status_output.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "base/strings.h"
#include "ledger/object_state.h"

namespace s5j::cli {
namespace {

using ledger::TimePoint;
using Json = nlohmann::json;

double seconds_between(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

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
  } else if (a.name == "listing" && !a.detail.empty()) {
    out = "listing the source " + a.detail;
  } else if (a.name == "idle") {
    out = "idle (nothing to do now)";
  } else if (a.name == "destination_refused") {
    out = "DESTINATION REFUSED: uploads and staging wait (" + a.detail + ")";
    if (a.retry_at) out += "; next try at " + format_iso8601(*a.retry_at);
    out += "; fix the destination's credentials or permissions, the run goes on by itself";
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
          {"next_scan_at", optional_time(activity->next_scan_at)},
          {"detail", activity->detail.empty() ? Json(nullptr) : Json(activity->detail)},
          {"retry_at", optional_time(activity->retry_at)}};
}


// A worker's endpoints, one line each, when a side has several or one has
// failed: the usual single healthy endpoint per side says nothing new.
std::string endpoint_lines(const std::vector<transfer::EndpointFigures>& endpoints) {
  const auto several = [&](const std::string& side) {
    return std::count_if(endpoints.begin(), endpoints.end(), [&](const auto& o) { return o.side == side; }) > 1;
  };
  const bool worth = std::any_of(endpoints.begin(), endpoints.end(),
                                 [&](const auto& e) { return !e.in_use || e.failures > 0 || several(e.side); });
  std::string out;
  if (!worth) return out;
  for (const auto& e : endpoints)
    out += "    " + e.side + " " + e.url + ": " + (e.in_use ? "in use" : "set aside") + ", " +
           std::to_string(e.requests) + " requests, " + std::to_string(e.failures) + " failures\n";
  return out;
}

// Each endpoint of the worker's sides, as its client sees it.
Json endpoints_json(const ops::WorkerStatus& w) {
  Json out = Json::array();
  if (w.figures)
    for (const auto& e : w.figures->endpoints)
      out.push_back({{"side", e.side},
                     {"endpoint", e.url},
                     {"requests", e.requests},
                     {"failures", e.failures},
                     {"state", e.in_use ? "in_use" : "set_aside"}});
  return out;
}

Json workers_json(const std::vector<ops::WorkerStatus>& workers) {
  Json out = Json::array();
  for (const auto& w : workers) {
    Json legs = Json::array();
    double objects_per_second = 0, bytes_per_second = 0;
    if (w.figures)
      for (const auto& l : w.figures->legs) {
        legs.push_back({{"leg", l.leg},
                        {"busy_workers", l.busy_workers},
                        {"objects_per_second", l.objects_per_second},
                        {"bytes_per_second", l.bytes_per_second}});
        objects_per_second += l.objects_per_second;
        bytes_per_second += l.bytes_per_second;
      }
    out.push_back({{"host", w.host},
                   {"pid", w.pid},
                   {"roles", w.roles},
                   {"last_heartbeat", format_iso8601(w.last_heartbeat)},
                   {"lease_expires_at", format_iso8601(w.expires_at)},
                   {"activity", activity_json(w.activity)},
                   {"leases_held", w.figures ? Json(w.figures->leases_held) : Json(nullptr)},
                   {"objects_per_second", w.figures ? Json(objects_per_second) : Json(nullptr)},
                   {"bytes_per_second", w.figures ? Json(bytes_per_second) : Json(nullptr)},
                   {"legs", std::move(legs)},
                   {"endpoints", endpoints_json(w)}});
  }
  return out;
}

}  // namespace

Json status_json(const ops::StatusReport& r) {
  Json j;
  j["job"] = r.job;
  j["ledger"] = r.ledger;
  j["generated_at"] = format_iso8601(r.generated_at);
  j["job_exists"] = r.job_exists;
  j["mode"] = r.job_exists ? Json(std::string(ledger::to_string(r.mode))) : Json(nullptr);
  j["states"] = Json::array();
  for (const auto& s : r.states)
    j["states"].push_back(
        {{"state", std::string(ledger::to_string(s.state))}, {"objects", s.objects}, {"bytes", s.bytes}});
  j["total"] = {{"objects", r.total_objects}, {"bytes", r.total_bytes}};
  j["remaining"] = {{"objects", r.remaining_objects}, {"bytes", r.remaining_bytes}};
  if (r.run) {
    j["run"] = {{"active", r.run->active},
                {"pid", r.run->pid},
                {"host", r.run->host},
                {"command", r.run->command},
                {"role", r.run->role},
                {"started_at", optional_time(r.run->started_at)},
                {"ended_at", optional_time(r.run->ended_at)},
                {"outcome", r.run->outcome},
                {"exit_code", r.run->exit_code ? Json(*r.run->exit_code) : Json(nullptr)}};
    j["run"]["activity"] = activity_json(r.run->activity);
    j["run"]["also_active"] = Json::array();
    for (const auto& h : r.run->also_active)
      j["run"]["also_active"].push_back({{"pid", h.pid},
                                         {"host", h.host},
                                         {"role", h.role},
                                         {"started_at", format_iso8601(h.acquired_at)},
                                         {"activity", activity_json(h.activity)}});
  } else {
    j["run"] = nullptr;
  }
  j["throughput"] = {{"last_minute_bytes_per_second", optional_number(r.throughput.last_minute)},
                     {"since_run_start_bytes_per_second", optional_number(r.throughput.since_run_start)},
                     {"basis", r.throughput.basis.empty() ? "none" : r.throughput.basis}};
  j["eta_seconds"] = optional_number(r.eta_seconds);
  j["eta_basis"] = r.eta_basis.empty() ? Json(nullptr) : Json(r.eta_basis);
  j["eta_inferred_size_classes"] = r.eta_inferred_classes;
  j["remaining_by_size_class"] = Json::array();
  for (const auto& c : r.remaining_by_size)
    j["remaining_by_size_class"].push_back({{"size_class", c.size_class}, {"objects", c.objects}, {"bytes", c.bytes}});
  j["workers"] = workers_json(r.workers);
  if (r.staging) {
    Json vols = Json::array();
    for (const auto& v : *r.staging) {
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
    j["staging"] = {{"volumes", vols}, {"error", r.staging_error.empty() ? Json(nullptr) : Json(r.staging_error)}};
  } else {
    j["staging"] = nullptr;
  }
  Json kinds = Json::array();
  for (const auto& e : r.errors)
    kinds.push_back({{"kind", e.kind},
                     {"count", e.count},
                     {"latest_at", format_iso8601(e.latest_at)},
                     {"latest_key", e.latest_key},
                     {"latest_message", e.latest_message}});
  j["errors"] = {{"examined", r.errors_examined}, {"kinds", kinds}};
  return j;
}

std::string status_text(const ops::StatusReport& r) {
  std::string out = "job " + r.job;
  if (!r.job_exists) return out + ": no runs yet (ledger " + r.ledger + " has no record of this job)\n";
  out += " (" + std::string(r.mode == ledger::JobMode::staged ? "staged relay" : "direct sync") + "), ledger " +
         r.ledger + "\n";
  if (!r.run) {
    out += "run: none recorded yet\n";
  } else if (r.run->active) {
    out += "run: ACTIVE as pid " + std::to_string(r.run->pid) + " on " + r.run->host;
    if (!r.run->command.empty())
      out += " (" + r.run->command + (r.run->role.empty() ? "" : ", role " + r.run->role) + ")";
    if (r.run->started_at)
      out += ", started " + format_iso8601(*r.run->started_at) + " (" +
             format_duration(seconds_between(*r.run->started_at, r.generated_at)) + " ago)";
    out += "\n";
    if (r.run->activity) out += "activity: " + activity_text(*r.run->activity, r.generated_at) + "\n";
    for (const auto& h : r.run->also_active) {
      out += "also active: pid " + std::to_string(h.pid) + " on " + h.host +
             (h.role.empty() ? "" : " (role " + h.role + ")") + ", started " + format_iso8601(h.acquired_at) + "\n";
      if (h.activity) out += "  activity: " + activity_text(*h.activity, r.generated_at) + "\n";
    }
  } else {
    out += "run: none active; last was pid " + std::to_string(r.run->pid) + " on " + r.run->host;
    if (r.run->started_at) out += ", started " + format_iso8601(*r.run->started_at);
    if (r.run->ended_at)
      out += ", ended " + format_iso8601(*r.run->ended_at) + " (" + (r.run->outcome.empty() ? "?" : r.run->outcome) +
             (r.run->exit_code ? ", exit " + std::to_string(*r.run->exit_code) : std::string()) + ")";
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
  for (const auto& s : r.states) row(ledger::to_string(s.state), s.objects, s.bytes);
  row("total", r.total_objects, r.total_bytes);
  row("remaining", r.remaining_objects, r.remaining_bytes);
  // With no run active, objects left in copying, staging or uploading are
  // not being moved: the run that had them stopped (or died), and the next
  // run takes them up again.
  if (!r.run || !r.run->active) {
    uint64_t interrupted = 0;
    for (const auto& s : r.states)
      if (ledger::is_active(s.state)) interrupted += s.objects;
    if (interrupted > 0)
      out += "note: " + std::to_string(interrupted) +
             " objects were in flight when the last run ended; nothing moves them now, the next run resumes them\n";
  }

  out += "throughput: ";
  if (r.throughput.last_minute)
    out += format_rate(*r.throughput.last_minute) + " over the last minute";
  else
    out += "last minute unknown (job too large to scan each time; --watch measures it between refreshes)";
  if (r.throughput.since_run_start) out += ", " + format_rate(*r.throughput.since_run_start) + " since the run started";
  out += "\n";
  if (r.remaining_objects == 0 && r.total_objects > 0)
    out += "ETA: nothing remaining; every object listed is verified\n";
  else if (r.eta_seconds) {
    out += "ETA: " + format_duration(*r.eta_seconds) + " for " + bytes_text(r.remaining_bytes);
    if (r.eta_basis == "size_classes")
      out += " (by size class" +
             (r.eta_inferred_classes.empty() ? std::string()
                                             : ", pace inferred for " + join(r.eta_inferred_classes, ", ")) +
             ")";
    else
      out += " (at the recent byte rate)";
    out += "\n";
  }
  else if (r.run && r.run->active)
    out += "ETA: unknown (nothing verified recently)\n";

  if (!r.remaining_by_size.empty()) {
    out += "remaining by size:";
    for (const auto& c : r.remaining_by_size)
      out += " " + c.size_class + " " + std::to_string(c.objects) + " (" + human_bytes(c.bytes) + ")";
    out += "\n";
  }
  // A fleet (or a relay's stage and drain in two processes): every worker.
  if (r.workers.size() > 1 || (r.workers.size() == 1 && r.workers.front().figures)) {
    out += "workers:\n";
    for (const auto& w : r.workers) {
      std::string roles;
      for (const auto& role : w.roles) roles += (roles.empty() ? "" : "+") + (role.empty() ? "job" : role);
      out += "  pid " + std::to_string(w.pid) + " on " + w.host + " (" + roles + "), heartbeat " +
             format_duration(std::max(0.0, seconds_between(w.last_heartbeat, r.generated_at))) + " ago";
      if (w.figures) {
        double ops = 0, bps = 0;
        for (const auto& l : w.figures->legs) ops += l.objects_per_second, bps += l.bytes_per_second;
        char figures[120];
        std::snprintf(figures, sizeof figures, ", %.1f objects/s, ", ops);
        out += figures + format_rate(bps) + ", " + std::to_string(w.figures->leases_held) + " leases held";
      }
      out += "\n";
      if (w.figures) out += endpoint_lines(w.figures->endpoints);
    }
  }

  if (r.staging) {
    out += "staging volumes:";
    if (!r.staging_error.empty()) out += " " + r.staging_error;
    out += "\n";
    for (const auto& v : *r.staging) {
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
  if (r.errors.empty()) {
    out += "errors: none recorded\n";
  } else {
    out += "errors (the " + std::to_string(r.errors_examined) + " most recent, by kind):\n";
    for (const auto& e : r.errors) {
      out += "  " + e.kind + ": " + std::to_string(e.count) + ", latest " + format_iso8601(e.latest_at) + " " +
             Json(e.latest_key).dump(-1, ' ', false, Json::error_handler_t::replace) + ": " + e.latest_message +
             "\n";
    }
  }
  return out;
}


}  // namespace s5j::cli
