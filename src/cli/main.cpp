// s5j: entry point. Each subcommand registers itself (cli/commands.h);
// main parses the command line and runs the one chosen. Its return value is
// the exit code (cli/exit_codes.h, documented in README.md).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{"s5j: move large data sets between S3-compatible object stores, verified end to end"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return s5j::cli::version_text(); }, "print the version, the commit and the linked libraries' versions, and exit");

  s5j::cli::CommandAction action;
  s5j::cli::add_transfer_command(app, action);
  s5j::cli::add_check_command(app, action);
  s5j::cli::add_sync_command(app, action);
  s5j::cli::add_relay_commands(app, action);
  s5j::cli::add_status_command(app, action);
  s5j::cli::add_ledger_command(app, action);
  s5j::cli::add_reset_command(app, action);
  s5j::cli::add_verify_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? s5j::cli::kOk : s5j::cli::kUsage;
  }
  return action ? action() : s5j::cli::kUsage;
}
