// The command line as plain data, read from the CLI11 app that s5j parses
// with (cli/app.h): the man page and the shell completion are rendered from
// it, so neither can list an option the binary lacks or miss one it has.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace s5j::docgen {

struct OptionModel {
  std::vector<std::string> names;  // "-c", "--config"; a positional: its name alone
  bool positional = false;
  bool takes_value = false;
  std::string value_name;            // "FILE", "SECONDS", "TEXT" ...
  std::vector<std::string> choices;  // from an IsMember check: the values it accepts
  std::string default_value;         // "" when none is shown
  std::string description;
  bool names_a_file = false;    // complete with file names
  bool names_a_config = false;  // ... and only YAML files (and directories)
};

struct CommandModel {
  std::vector<std::string> path;  // {"ledger", "export"}
  std::string description;
  std::vector<OptionModel> options;  // without --help
  std::vector<CommandModel> subcommands;
};

// The app's own options (--version) and every subcommand, depth first, in
// the order they were registered.
CommandModel read_cli(const CLI::App& app);

}  // namespace s5j::docgen
