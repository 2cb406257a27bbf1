#include "cli/reset_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/side_client.h"
#include "ledger/ledger_error.h"
#include "staging/recovery_scan.h"
#include "staging/staging_layout.h"

namespace s5j::cli {
namespace {

using ledger::UploadRecord;
using ledger::UploadStatus;

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

namespace {

struct ResetOptions {
  std::string config_path = "config.yaml";
  bool yes = false;
};

struct AbortOutcome {
  uint64_t aborted = 0;  // aborted at the destination now
  uint64_t gone = 0;     // the destination no longer had them
  uint64_t left = 0;     // still listed in the ledger
};

// Aborts the uploads at the destination, finding each upload id's key in
// the destination's own listing (the ledger holds the source key; the
// destination key is the engine's business). Problems are warnings: the
// uploads then stay listed for a later reset or run.
AbortOutcome abort_uploads(const config::Config& config, ledger::Ledger& ledger,
                           const std::vector<UploadRecord>& uploads, const log::Redactor& redactor) {
  AbortOutcome outcome;
  auto warn = [&](const std::string& what) {
    std::cerr << "s5j: warning: " << redactor.apply(what) << "\n";
  };
  config::TransferConfig quick = config.transfer;
  quick.max_attempts = std::min(quick.max_attempts, 2);  // an unreachable side should not stall the reset
  auto client = make_side_client(config.destination, quick);
  const std::string left_msg = std::to_string(uploads.size()) +
                               " multipart uploads stay listed in the ledger; run `s5j reset` again once the "
                               "destination is reachable";
  if (!client) {
    warn("no destination client (" + client.error().message + "): " + left_msg);
    outcome.left = uploads.size();
    return outcome;
  }
  const auto& bucket = config.destination.bucket;
  std::map<std::string, std::string> key_of;  // upload id -> key at the destination
  std::string key_marker, id_marker;
  bool complete = false;
  for (int page_count = 0; page_count < 10'000; ++page_count) {
    auto page = (*client)->list_multipart_uploads(bucket, config.destination.prefix, key_marker, id_marker);
    if (!page) {
      warn("cannot list multipart uploads at the destination (" + page.error().describe() + "): " + left_msg);
      outcome.left = uploads.size();
      return outcome;
    }
    for (const auto& u : page->uploads) key_of[u.upload_id] = u.key;
    if (!page->is_truncated) {
      complete = true;
      break;
    }
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker) break;  // stuck
    key_marker = page->next_key_marker;
    id_marker = page->next_upload_id_marker;
  }
  for (const auto& u : uploads) {
    auto it = key_of.find(u.upload_id);
    if (it == key_of.end()) {
      // Absent from a complete listing: completed, aborted or expired at the
      // destination already. From a partial listing we cannot tell.
      if (!complete) {
        ++outcome.left;
        continue;
      }
      if (auto st = ledger.queue_upload_end(u.ref, UploadStatus::aborted); !st) {
        ++outcome.left;
        continue;
      }
      ++outcome.gone;
      continue;
    }
    if (auto st = (*client)->abort_multipart_upload(bucket, it->second, u.upload_id); !st) {
      warn("could not abort upload " + u.upload_id + " of " + json_quoted(it->second) + " (" + st.error().describe() +
           "); it stays listed in the ledger");
      ++outcome.left;
      continue;
    }
    if (auto st = ledger.queue_upload_end(u.ref, UploadStatus::aborted); !st) {
      ++outcome.left;
      continue;
    }
    ++outcome.aborted;
  }
  if (auto flushed = ledger.flush(); !flushed) {
    warn("aborted uploads could not be recorded (" + flushed.error().message + "); they stay listed in the ledger");
    outcome.left += outcome.aborted + outcome.gone;
    outcome.aborted = outcome.gone = 0;
  }
  return outcome;
}

// Takes the job lock for the reset; a holder whose process is gone from
// this host is broken first. Returns the exit code to stop with, or kOk.
int take_lock(JobContext& context, const ledger::LockRequest& request, const std::string& job,
              const log::Redactor& redactor) {
  ledger::Ledger& ledger = *context.ledger;
  // Each round breaks one dead holder's locks (only its own: a live run of
  // another role keeps its lock and then refuses the reset).
  for (int round = 0; round < 16; ++round) {
    auto outcome = ledger.acquire_job_lock(context.job->id, request);
    if (!outcome) return ledger_failure(outcome.error(), redactor);
    if (outcome->acquired) return kOk;
    const auto& h = outcome->holder;
    if (!holder_alive(h)) {
      if (auto st = ledger.break_job_lock(context.job->id, h.owner); !st) return ledger_failure(st.error(), redactor);
      continue;
    }
    std::cerr << "s5j: "
              << redactor.apply("job " + job + " is running as pid " + std::to_string(h.pid) + " on " + h.host +
                                " (since " + format_iso8601(h.acquired_at) + "): stop that run first (kill " +
                                std::to_string(h.pid) + "), then reset")
              << "\n";
    return kAlreadyRunning;
  }
  return kAlreadyRunning;
}

int run_reset(const ResetOptions& options) {
  auto config = load_config_for_command(options.config_path);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);
  auto context = open_job_context(*config, /*create_if_missing=*/false);
  if (!context) return ledger_failure(context.error(), redactor);

  // Held from the plan to the end so that no run starts halfway through.
  const ledger::LockRequest lock{
      .owner = "reset:" + this_host() + ":" + std::to_string(::getpid()) + ":" +
               std::to_string(SystemClock::instance().steady_now().time_since_epoch().count()),
      .pid = ::getpid(),
      .host = this_host(),
      .ttl = std::chrono::minutes(2)};
  const bool locked = context->ledger && context->job;
  if (locked) {
    if (int code = take_lock(*context, lock, config->job, redactor); code != kOk) return code;
  }
  struct Unlock {
    JobContext& c;
    const std::string& owner;
    bool on;
    ~Unlock() {
      if (on) (void)c.ledger->release_job_lock(c.job->id, owner);
    }
  } unlock{*context, lock.owner, locked};

  auto plan = plan_reset(*config, *context);
  if (!plan) {
    return ledger::is_ledger_error(plan.error()) ? ledger_failure(plan.error(), redactor)
                                                   : staging_failure(plan.error(), redactor);
  }
  std::cout << redactor.apply(plan->to_text(*config)) << std::flush;
  if (plan->empty()) return kOk;

  if (!options.yes) {
    if (!::isatty(STDIN_FILENO)) {
      std::cerr << "s5j: reset needs confirmation and standard input is not a terminal: run `s5j reset -c "
                << redactor.apply(options.config_path) << " --yes` to reset job " << config->job << " without asking\n";
      return kUsage;
    }
    std::cerr << "Type 'yes' to reset job " << config->job << ": " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (trim(answer) != "yes") {
      std::cerr << "s5j: reset cancelled; nothing was changed\n";
      return kFailed;
    }
    // The prompt may have outlasted the lock's lease: renew it (or learn
    // that a run took over meanwhile).
    if (locked) {
      if (int code = take_lock(*context, lock, config->job, redactor); code != kOk) return code;
    }
  }

  // Staging is opened before the ledger is touched: a volume problem stops
  // the reset with nothing changed.
  std::unique_ptr<staging::Stager> stager;
  if (!plan->volumes.empty()) {
    auto opened = staging::Stager::open(staging_options_for(*config));
    if (!opened) return staging_failure(opened.error(), redactor);
    stager = std::move(*opened);
  }
  if (plan->job_exists) {
    if (auto st = context->ledger->reset_job(context->job->id); !st) return ledger_failure(st.error(), redactor);
  }
  uint64_t removed_files = 0, removed_bytes = 0;
  if (stager) {
    for (int64_t id : plan->staged_ids) {
      if (auto st = stager->remove(id); !st) return staging_failure(st.error(), redactor);
    }
    if (auto st = stager->discard_partials(); !st) return staging_failure(st.error(), redactor);
    for (const auto& v : plan->volumes) removed_files += v.staged_files + v.partial_files;
    for (const auto& v : plan->volumes) removed_bytes += v.staged_bytes + v.partial_bytes;
    auto rescan = stager->scan();
    if (!rescan) return staging_failure(rescan.error(), redactor);
    if (!rescan->complete.empty() || !rescan->partial.empty()) {
      std::cerr << "s5j: " << rescan->complete.size() + rescan->partial.size() << " staged files of job "
                << config->job << " remain (first: " << redactor.apply(
                       (rescan->complete.empty() ? rescan->partial : rescan->complete).front().path)
                << "): check the volume is writable, then run reset again\n";
      return kStagingError;
    }
  }
  AbortOutcome aborts;
  if (!plan->uploads.empty()) aborts = abort_uploads(*config, *context->ledger, plan->uploads, redactor);

  std::cout << redactor.apply("reset job " + config->job + ": forgot " + std::to_string(plan->objects) +
                              " objects; removed " + std::to_string(removed_files) + " staged files (" +
                              human_bytes(removed_bytes) + "); multipart uploads: " +
                              std::to_string(aborts.aborted) + " aborted, " + std::to_string(aborts.gone) +
                              " already gone, " + std::to_string(aborts.left) + " still listed\n");
  return kOk;
}

}  // namespace

void add_reset_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<ResetOptions>();
  auto* cmd = app.add_subcommand("reset", "forget a job's progress and delete its staged files (start over)");
  cmd->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  cmd->add_flag("-y,--yes", options->yes, "do not ask for confirmation (for scripts)");
  cmd->callback([&action, options] { action = [options] { return run_reset(*options); }; });
}

}  // namespace s5j::cli
