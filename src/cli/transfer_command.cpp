// `s5j transfer -c FILE [--yes]`: the whole job in one command, as the
// original toolset's guided data_transfer.py walked an operator through it:
//
//   1. pre-flight: the config (its warnings), the ledger location, the
//      staging volumes of a staged job, and both S3 sides (run_check);
//   2. the plan: objects and bytes under the source prefix, and what the
//      ledger already holds as verified;
//   3. confirmation: a y/N prompt on a terminal, or --yes; with neither
//      (no terminal, no --yes) it refuses with exit 2 and moves nothing;
//   4. the transfer: `relay --once` for a staged job, else `sync`
//      (job.mode; cli/job_preflight.h, transfer_mode_for, says which);
//   5. `verify`; what verify puts back in line is moved again, up to
//      kMaxRounds transfer+verify rounds;
//   6. a summary: start, end, duration, objects and bytes proven.
//
// Exit 0 only when verify proves the destination complete. A run stopped by
// a first Ctrl-C exits 12 (incomplete: run it again to resume), not 0 as
// the single commands do, so `s5j transfer --yes && next-step` never goes on
// with an unfinished copy; a second Ctrl-C exits 130 at once. During verify
// (which only reads, and reopens objects in atomic ledger commits) Ctrl-C
// ends the process at once, as it does `s5j verify`.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <string>

#include "base/strings.h"
#include "cli/check_command.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_preflight.h"
#include "cli/output.h"
#include "cli/run_commands.h"
#include "cli/run_metrics.h"

namespace s5j::cli {
namespace {

constexpr int kMaxRounds = 3;

struct TransferOptions {
  std::string config_path = "config.yaml";
  bool yes = false;
  int workers = 0;  // 0: from the config
  bool no_progress = false;
  std::string metrics_address;  // --metrics-addr: each run step serves /metrics there
};

std::string local_time_text(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return buf;
}

std::string duration_text(std::chrono::seconds d) {
  const long long s = d.count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string objects_text(uint64_t objects, uint64_t bytes) {
  return std::to_string(objects) + " objects (" + std::to_string(bytes) + " bytes, " + human_bytes(bytes) + ")";
}

// Steps 1 and 2. Returns kOk, or the exit code of the first problem (its
// line already printed).
int preflight(const config::Config& config, TransferMode mode, const log::Redactor& redactor,
              CheckReport& source_report) {
  std::cout << "== pre-flight\n";
  std::cout << "job " << config.job << ": " << (mode == TransferMode::relay ? "staged relay" : "direct sync")
            << (mode == TransferMode::relay ? " (source -> staging volumes -> destination)\n"
                                            : " (source -> destination)\n");
  const auto ledger = check_ledger_location(config);
  std::cout << redactor.apply(to_text(ledger));
  if (ledger.error) {
    std::cerr << "s5j: " << redactor.apply(ledger.error->message) << "\n";
    return kLedgerError;
  }
  if (mode == TransferMode::relay) {
    const auto staging = check_staging_volumes(config);
    std::cout << redactor.apply(to_text(staging));
    if (staging.error) {
      std::cerr << "s5j: " << redactor.apply(staging.error->message) << "\n";
      return kStagingError;
    }
  }
  for (const auto* side : {&config.source, &config.destination}) {
    auto report = run_check(config, *side, {.probe_objects = false});
    std::cout << redactor.apply(report.to_text());
    if (report.error) {
      std::cerr << "s5j: " << redactor.apply(on_side(side->name, *report.error).message) << "\n";
      return exit_code_for(*report.error);
    }
    if (side == &config.source) source_report = std::move(report);
  }

  std::cout << "== plan\n"
            << "  source holds       " << objects_text(source_report.objects, source_report.bytes) << " under s3://"
            << redactor.apply(config.source.bucket + "/" + config.source.prefix) << "\n"
            << "  ledger verified    " << objects_text(ledger.verified_objects, ledger.verified_bytes) << "\n"
            << "  then               " << (mode == TransferMode::relay ? "s5j relay --once" : "s5j sync")
            << ", s5j verify; again for what verify reopens (at most " << kMaxRounds << " rounds)\n";
  return kOk;
}

// Step 3: true to go on. Prints why not otherwise.
bool confirmed(const TransferOptions& options) {
  if (options.yes) return true;
  if (!::isatty(STDIN_FILENO)) {
    std::cerr << "s5j: transfer needs a confirmation: run it on a terminal, or pass --yes to start without asking\n";
    return false;
  }
  std::cout << "Start the transfer? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
    std::cerr << "s5j: not confirmed; nothing moved\n";
    return false;
  }
  return true;
}

int run_transfer_command(const TransferOptions& options) {
  auto config = load_config_for_command(options.config_path);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);
  const auto chosen = transfer_mode_for(*config);
  if (!chosen) return report_failure(chosen.error(), redactor);
  const TransferMode mode = *chosen;

  CheckReport source_report;
  if (int code = preflight(*config, mode, redactor, source_report); code != kOk) return code;
  if (!confirmed(options)) return kUsage;

  const auto started = std::chrono::system_clock::now();
  ops::VerifyReport proof;
  bool proven = false;
  for (int round = 1; round <= kMaxRounds && !proven; ++round) {
    std::cout << "== transfer (round " << round << " of at most " << kMaxRounds << ")\n" << std::flush;
    RunOutcome outcome;
    int code = mode == TransferMode::relay
                   ? run_relay_command(transfer::RelayRole::relay,
                                       RelayOptions{.config_path = options.config_path,
                                                    .once = true,
                                                    .workers = options.workers,
                                                    .no_progress = options.no_progress,
                                                    .config_warnings = false,
                                                    .metrics_address = options.metrics_address},
                                       &outcome)
                   : run_sync_command(SyncOptions{.config_path = options.config_path,
                                                  .dry_run = false,
                                                  .workers = options.workers,
                                                  .no_progress = options.no_progress,
                                                  .config_warnings = false,
                                                  .metrics_address = options.metrics_address},
                                      &outcome);
    if (outcome.stopped) {
      std::cerr << "s5j: transfer stopped on request before the destination was proven complete; run s5j transfer "
                   "again to resume\n";
      return kIncomplete;
    }
    if (code != kOk) return code;

    std::cout << "== verify (round " << round << ")\n" << std::flush;
    proof = ops::VerifyReport{};
    code = run_verify_command(VerifyOptions{.config_path = options.config_path, .workers = options.workers, .config_warnings = false}, &proof);
    if (code == kOk && proof.clean()) {
      proven = true;
    } else if (code != kOk && code != kIncomplete) {
      return code;
    } else if (proof.reopened + proof.unseen_at_source + proof.changed_at_source + proof.not_verified == 0) {
      break;  // nothing another transfer could move (unproven, errors): see verify's advice above
    }
  }

  const auto ended = std::chrono::system_clock::now();
  std::cout << "== summary\n"
            << "  started            " << local_time_text(started) << "\n"
            << "  ended              " << local_time_text(ended) << "\n"
            << "  duration           "
            << duration_text(std::chrono::duration_cast<std::chrono::seconds>(ended - started)) << "\n"
            << "  proven             " << objects_text(proof.ok, proof.checked_bytes)
            << " at the destination, as the ledger records them\n";
  if (proven) {
    std::cout << "transfer complete: the destination holds every source object under the prefix, verified\n";
    return kOk;
  }
  std::cout << "transfer INCOMPLETE: verify still finds work after the last round (see its report above)\n";
  std::cerr << "s5j: the destination is not proven complete; run s5j transfer again, or see s5j status\n";
  return kIncomplete;
}

}  // namespace

void add_transfer_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<TransferOptions>();
  auto* cmd = app.add_subcommand(
      "transfer", "the whole job: pre-flight, plan, confirm, relay or sync, verify until proven complete, summary");
  cmd->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  cmd->add_flag("-y,--yes", options->yes, "start without asking (required without a terminal)");
  cmd->add_option("--workers", options->workers, "objects in flight (default: transfer.workers)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--no-progress", options->no_progress, "no live progress line on the terminal");
  add_metrics_address_option(*cmd, options->metrics_address);
  cmd->callback([&action, options] { action = [options] { return run_transfer_command(*options); }; });
}

}  // namespace s5j::cli
