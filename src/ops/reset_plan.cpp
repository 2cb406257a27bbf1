#include "ops/reset_plan.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "staging/recovery_scan.h"
#include "staging/staging_layout.h"

namespace s5j::ops {
namespace {

// Keys are raw bytes: shown JSON-quoted so control characters cannot
// garble the terminal.
std::string json_quoted(const std::string& key) {
  return nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string bytes_text(uint64_t bytes) { return std::to_string(bytes) + " bytes (" + human_bytes(bytes) + ")"; }

}  // namespace

bool ResetPlan::empty() const { return objects == 0 && uploads.empty() && volumes.empty(); }

Result<ResetPlan> plan_reset(const config::Config& config, JobContext& context) {
  ResetPlan plan;
  plan.job = config.job;
  plan.ledger = context.ledger ? context.ledger->location() : config.ledger.path;
  if (context.ledger && context.job) {
    plan.job_exists = true;
    plan.mode = context.job->mode;
    auto totals = context.ledger->totals(context.job->id);
    if (!totals) return std::unexpected(totals.error());
    plan.states = *totals;
    for (const auto& t : plan.states) plan.objects += t.objects, plan.bytes += t.bytes;
    auto uploads = context.ledger->open_uploads(context.job->id);
    if (!uploads) return std::unexpected(uploads.error());
    plan.uploads = std::move(*uploads);
  }
  // Staged files are looked for whatever the job's mode (a job reopened in
  // another mode, or forgotten by the ledger, may have left some), with the
  // read-only scan; the Stager is opened only when there is something to
  // remove, because opening it creates the job's directories.
  if (!staging::validate_job_name(config.job)) return plan;
  std::vector<std::string> volumes;
  for (const auto& v : staging_volume_paths(config)) {
    std::error_code ec;
    if (std::filesystem::is_directory(v, ec)) volumes.push_back(v);
  }
  if (volumes.empty()) return plan;
  auto scan = staging::scan_staging(volumes, config.job);
  if (!scan) return std::unexpected(scan.error());
  std::vector<ResetVolume> per_volume(volumes.size());
  for (size_t i = 0; i < volumes.size(); ++i) per_volume[i].path = volumes[i];
  for (const auto& e : scan->complete) {
    ++per_volume[e.volume_index].staged_files;
    per_volume[e.volume_index].staged_bytes += e.size;
    plan.staged_ids.push_back(e.id);
  }
  for (const auto& e : scan->partial) {
    ++per_volume[e.volume_index].partial_files;
    per_volume[e.volume_index].partial_bytes += e.size;
  }
  std::sort(plan.staged_ids.begin(), plan.staged_ids.end());
  plan.staged_ids.erase(std::unique(plan.staged_ids.begin(), plan.staged_ids.end()), plan.staged_ids.end());
  plan.unknown_entries = scan->unknown.size();
  for (auto& v : per_volume)
    if (v.staged_files + v.partial_files > 0) plan.volumes.push_back(std::move(v));
  return plan;
}

std::string ResetPlan::to_text(const config::Config& config) const {
  std::string out = "reset of job " + job;
  if (job_exists) out += std::string(" (") + (mode == ledger::JobMode::staged ? "staged relay" : "direct sync") + ")";
  out += ", ledger " + ledger + "\n";
  if (empty()) return out + "  nothing to remove: the ledger has no objects of this job and no staged files\n";
  out += "  ledger records: " + std::to_string(objects) + " objects, " + bytes_text(bytes) + "\n";
  for (const auto& s : states) {
    if (s.objects == 0) continue;
    out += "    " + std::string(ledger::to_string(s.state)) + ": " + std::to_string(s.objects) + " objects, " +
           bytes_text(s.bytes) + "\n";
  }
  for (const auto& v : volumes) {
    out += "  staged files on " + v.path + ": " + std::to_string(v.staged_files) + " files, " +
           bytes_text(v.staged_bytes);
    if (v.partial_files > 0)
      out += "; " + std::to_string(v.partial_files) + " partial files, " + bytes_text(v.partial_bytes);
    out += "\n";
  }
  if (unknown_entries > 0)
    out += "  " + std::to_string(unknown_entries) + " other entries in the job's staging directories stay\n";
  if (!uploads.empty()) {
    out += "  multipart uploads open at the destination s3://" + config.destination.bucket + "/" +
           config.destination.prefix + " (aborted if it is reachable):\n";
    for (const auto& u : uploads)
      out += "    " + json_quoted(u.key) + " upload " + u.upload_id + " (" + std::string(ledger::to_string(u.status)) +
             ")\n";
  }
  out += "  run history is kept; files outside the job's staging directories are not touched\n";
  return out;
}

}  // namespace s5j::ops
