// `s5j reset`: the command line, the job lock, the confirmation and the
// report; what goes is ops/reset_plan.h, how it goes ops/reset_execution.h.

#include <unistd.h>

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_context.h"
#include "cli/output.h"
#include "cli/side_client.h"
#include "ledger/ledger_error.h"
#include "ops/reset_execution.h"
#include "ops/reset_plan.h"

namespace s5j::cli {
namespace {

using ops::plan_reset;

// Keys are raw bytes: shown JSON-quoted so control characters cannot
// garble the terminal.
std::string json_quoted(const std::string& key) {
  return nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string bytes_text(uint64_t bytes) { return std::to_string(bytes) + " bytes (" + human_bytes(bytes) + ")"; }

// What a reset of the job would remove, as the operator reads it before
// confirming.
std::string reset_plan_text(const ops::ResetPlan& plan, const config::Config& config) {
  std::string out = "reset of job " + plan.job;
  if (plan.job_exists)
    out += std::string(" (") + (plan.mode == ledger::JobMode::staged ? "staged relay" : "direct sync") + ")";
  out += ", ledger " + plan.ledger + "\n";
  if (plan.empty()) return out + "  nothing to remove: the ledger has no objects of this job and no staged files\n";
  out += "  ledger records: " + std::to_string(plan.objects) + " objects, " + bytes_text(plan.bytes) + "\n";
  for (const auto& s : plan.states) {
    if (s.objects == 0) continue;
    out += "    " + std::string(ledger::to_string(s.state)) + ": " + std::to_string(s.objects) + " objects, " +
           bytes_text(s.bytes) + "\n";
  }
  for (const auto& v : plan.volumes) {
    out += "  staged files on " + v.path + ": " + std::to_string(v.staged_files) + " files, " +
           bytes_text(v.staged_bytes);
    if (v.partial_files > 0)
      out += "; " + std::to_string(v.partial_files) + " partial files, " + bytes_text(v.partial_bytes);
    out += "\n";
  }
  if (plan.unknown_entries > 0)
    out += "  " + std::to_string(plan.unknown_entries) + " other entries in the job's staging directories stay\n";
  if (!plan.uploads.empty()) {
    out += "  multipart uploads open at the destination s3://" + config.destination.bucket + "/" +
           config.destination.prefix + " (aborted if it is reachable):\n";
    for (const auto& u : plan.uploads)
      out += "    " + json_quoted(u.key) + " upload " + u.upload_id + " (" + std::string(ledger::to_string(u.status)) +
             ")\n";
  }
  out += "  run history is kept; files outside the job's staging directories are not touched\n";
  // What the next run does with what is already at the destination: sync
  // and relay compare with it; `stage` alone does not (it may run where the
  // destination cannot be seen).
  if (plan.job_exists && plan.mode == ledger::JobMode::staged)
    out += "  after the reset the next relay lists the destination and skips objects already identical there; "
           "`s5j stage` alone stages every object again\n";
  else if (plan.job_exists)
    out += "  after the reset the next sync lists the destination and skips objects already identical there\n";
  return out;
}


struct ResetOptions {
  std::string config_path = "config.yaml";
  bool yes = false;
};

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
  std::cout << redactor.apply(reset_plan_text(*plan, *config)) << std::flush;
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

  auto done = ops::execute_reset(*config, *context, *plan, [&](const config::TransferConfig& transfer) {
    return make_side_client(config->destination, transfer);
  });
  if (!done) {
    return ledger::is_ledger_error(done.error()) ? ledger_failure(done.error(), redactor)
                                                   : staging_failure(done.error(), redactor);
  }
  for (const auto& warning : done->warnings) std::cerr << "s5j: warning: " << redactor.apply(warning) << "\n";
  const uint64_t removed_files = done->removed_files, removed_bytes = done->removed_bytes;
  const ops::AbortOutcome& aborts = done->uploads;

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
