// Registration of subcommands. Each subcommand lives in its own file and
// adds itself to the CLI11 app; when it is the one parsed, it stores the
// function main() runs. The function returns the process exit code
// (cli/exit_codes.h).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace s5j::cli {

using CommandAction = std::function<int()>;

void add_check_command(CLI::App& app, CommandAction& action);
void add_sync_command(CLI::App& app, CommandAction& action);
void add_status_command(CLI::App& app, CommandAction& action);
void add_ledger_command(CLI::App& app, CommandAction& action);
void add_reset_command(CLI::App& app, CommandAction& action);
void add_verify_command(CLI::App& app, CommandAction& action);
// `transfer`: pre-flight, plan, confirm, relay or sync, verify (transfer_command.cpp).
void add_transfer_command(CLI::App& app, CommandAction& action);
// `stage`, `drain` and `relay` (relay_command.cpp).
void add_relay_commands(CLI::App& app, CommandAction& action);
// `volumes list|setup|unmount`: the staging disks (volumes_command.cpp).
void add_volumes_command(CLI::App& app, CommandAction& action);

}  // namespace s5j::cli
