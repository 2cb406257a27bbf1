#include "cli/relay_output.h"

#include "cli/progress_reporter.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/strings.h"

namespace s5j::cli {
namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", d.count() / 1000.0);
  return buf;
}

std::string rate_text(uint64_t bytes, std::chrono::milliseconds d) {
  const double seconds = std::max(0.001, d.count() / 1000.0);
  return human_bytes(static_cast<uint64_t>(bytes / seconds)) + "/s";
}

// "145 of 307", or when new objects were found since the count was taken
// "320 (307 at the start, the rest found since)".
std::string count_of(uint64_t done, uint64_t total) {
  if (done <= total) return std::to_string(done) + " of " + std::to_string(total);
  return std::to_string(done) + " (" + std::to_string(total) + " at the start, the rest found since)";
}

// Every object of the job verified, or gone from the source (vanished).
bool job_complete(const transfer::RelayReport& r) {
  uint64_t settled = 0;
  for (const auto& [state, objects] : r.totals)
    if (state == "verified" || state == "vanished") settled += objects;
  return r.total_objects > 0 && settled == r.total_objects && r.failed_objects == 0;
}

}  // namespace

std::string relay_progress_text(transfer::RelayRole role, const transfer::RelayProgress& p) {
  using transfer::RelayRole;
  // The legs work while the listing goes on: what they did so far.
  if (p.planning)
    return "listing the source: " + std::to_string(p.listed_objects) + " objects so far; " +
           std::to_string(p.staged_objects) + " staged, " + std::to_string(p.verified_objects) + " verified";
  const bool stage_done = p.staged_objects >= p.to_stage_objects;
  const bool upload_done = p.verified_objects >= p.to_upload_objects;
  std::string line;
  if (role == RelayRole::stage) {
    if (stage_done)
      line = "all " + std::to_string(p.listed_objects) + " listed objects staged or verified (" +
             std::to_string(p.staged_objects) + " staged by this run, " + human_bytes(p.staged_bytes) + ")";
    else
      line = "staged " + count_of(p.staged_objects, p.to_stage_objects) + " to stage (" +
             human_bytes(p.staged_bytes) + " of " + human_bytes(p.to_stage_bytes) + "); " +
             std::to_string(p.listed_objects) + " listed";
  } else if (role == RelayRole::drain) {
    if (upload_done)
      line = "all " + std::to_string(p.to_upload_objects) + " objects that were left are uploaded and verified (" +
             std::to_string(p.verified_objects) + " by this run, " + human_bytes(p.verified_bytes) + ")";
    else
      line = "uploaded and verified " + count_of(p.verified_objects, p.to_upload_objects) + " not yet verified (" +
             human_bytes(p.verified_bytes) + " of " + human_bytes(p.to_upload_bytes) + ")";
  } else if (stage_done && upload_done) {
    line = "all " + std::to_string(p.listed_objects) + " listed objects verified (" +
           std::to_string(p.verified_objects) + " by this run, " + human_bytes(p.verified_bytes) + ")";
  } else {
    line = "staged " + count_of(p.staged_objects, p.to_stage_objects) + " to stage, verified " +
           count_of(p.verified_objects, p.to_upload_objects) + " to upload (" + human_bytes(p.verified_bytes) +
           " of " + human_bytes(p.to_upload_bytes) + "); " + std::to_string(p.listed_objects) + " listed";
  }
  if (p.failed_objects > 0) line += ", " + std::to_string(p.failed_objects) + " failed";
  if (p.waiting_for_space) line += ", waiting for staging space";
  const bool leg_done = role == RelayRole::stage ? stage_done : upload_done && (role == RelayRole::drain || stage_done);
  if (p.scanning) line += leg_done ? "; waiting for new objects (scanning the source)" : ", scanning the source";
  else if (leg_done && role == RelayRole::drain) line += "; waiting for newly staged objects";
  return line;
}

std::string relay_stop_text(const transfer::RelayReport& r) {
  using transfer::RelayRole;
  if (job_complete(r))
    return "stopped on request; nothing remains: all " + std::to_string(r.total_verified) +
           " objects of the job are verified, the job is complete";
  if (r.remaining_objects == 0 && r.failed_objects == 0) {
    if (r.role == RelayRole::stage)
      return "stopped on request; everything listed is staged: s5j drain uploads the " +
             std::to_string(r.total_objects - r.total_verified) + " objects not yet verified";
    return "stopped on request; nothing staged remains to upload (" + std::to_string(r.total_verified) + " of " +
           std::to_string(r.total_objects) + " objects verified): s5j stage stages the rest";
  }
  return "stopped on request; " + std::to_string(r.remaining_objects) + " objects remain: run again to resume";
}

std::string relay_summary(const transfer::RelayReport& r) {
  using transfer::RelayRole;
  const std::string role(transfer::to_string(r.role));
  std::string s = role + (r.stopped ? (job_complete(r) ? " stopped, job complete: " : " stopped: ")
                                    : r.complete() ? " complete: " : " incomplete: ");
  if (r.role != RelayRole::drain)
    s += std::to_string(r.staged_objects) + " objects staged (" + human_bytes(r.staged_bytes) + ", " +
         rate_text(r.staged_bytes, r.duration) + ")";
  if (r.role == RelayRole::relay) s += " and ";
  if (r.role != RelayRole::stage)
    s += std::to_string(r.verified_objects) + " objects uploaded and verified (" + human_bytes(r.verified_bytes) + ", " +
         rate_text(r.verified_bytes, r.duration) + ")";
  s += " in " + seconds_text(r.duration);
  if (r.found_at_destination > 0)
    s += ", " + std::to_string(r.found_at_destination) + " already identical at the destination (not sent)";
  s += "; " + std::to_string(r.total_verified) + " of " + std::to_string(r.total_objects) + " objects verified in all";
  if (r.remaining_objects > 0)
    s += ", " + std::to_string(r.remaining_objects) + (r.role == RelayRole::stage ? " not yet staged" : " not yet verified");
  if (r.refetch_objects > 0) s += ", " + std::to_string(r.refetch_objects) + " staged copies bad: fetched again";
  if (r.vanished_objects > 0) s += ", " + std::to_string(r.vanished_objects) + " vanished at the source";
  if (r.space_waits > 0) s += ", waited for staging space " + std::to_string(r.space_waits) + " times";
  if (r.failed_objects > 0) s += ", " + std::to_string(r.failed_objects) + " FAILED";
  return s;
}

std::string relay_progress_line(transfer::RelayRole role, const transfer::RelayProgress& p,
                                metrics::JobStatusSource* status) {
  const std::string text = relay_progress_text(role, p);
  if (p.planning) return text;
  const std::string bar = role == transfer::RelayRole::stage ? progress_bar(p.staged_bytes, p.to_stage_bytes)
                                                             : progress_bar(p.verified_bytes, p.to_upload_bytes);
  return bar + " " + text + eta_suffix(status);
}

}  // namespace s5j::cli
