#include "ops/reset_plan.h"

#include <algorithm>
#include <filesystem>

#include "staging/recovery_scan.h"
#include "staging/staging_layout.h"

namespace s5j::ops {

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

}  // namespace s5j::ops
