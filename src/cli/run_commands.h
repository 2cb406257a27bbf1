// The bodies of `s5j stage|drain|relay`, `s5j sync` and `s5j verify` as
// functions, for `s5j transfer` (cli/transfer_command.cpp), which runs them
// one after the other. Each loads the config from options.config_path,
// prints what its command prints and returns its exit code
// (cli/exit_codes.h); `outcome`, when given, learns what the exit code
// cannot tell (a run stopped on request exits 0).
#pragma once

#include <string>

#include "ops/destination_verifier.h"
#include "transfer/relay_engine.h"

namespace s5j::cli {

struct RunOutcome {
  bool stopped = false;  // ended by a first SIGINT/SIGTERM before it was done
};

struct RelayOptions {
  std::string config_path = "config.yaml";
  bool once = false;
  int workers = 0;  // 0: from the config
  bool no_progress = false;
  bool config_warnings = true;  // false: not printed again (a step of `transfer`)
  std::string metrics_address;  // --metrics-addr; empty: metrics.listen
  double progress_interval = 60;  // --progress-interval: seconds between lines off a terminal
};
int run_relay_command(transfer::RelayRole role, const RelayOptions& options, RunOutcome* outcome = nullptr);

struct SyncOptions {
  std::string config_path = "config.yaml";
  bool dry_run = false;
  int workers = 0;  // 0: from the config
  bool no_progress = false;
  bool config_warnings = true;  // false: not printed again (a step of `transfer`)
  std::string metrics_address;  // --metrics-addr; empty: metrics.listen
  double progress_interval = 60;  // --progress-interval: seconds between lines off a terminal
};
int run_sync_command(const SyncOptions& options, RunOutcome* outcome = nullptr);

struct VerifyOptions {
  std::string config_path = "config.yaml";
  bool deep = false;
  bool json = false;
  int workers = 0;  // 0: transfer.workers
  bool config_warnings = true;
};
// `report`, when given, receives the verify report of a run that got one.
int run_verify_command(const VerifyOptions& options, ops::VerifyReport* report = nullptr);

}  // namespace s5j::cli
