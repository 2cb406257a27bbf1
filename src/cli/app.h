// The s5j command line: every subcommand registered on one CLI11 app.
// main() parses with it; s5j-docgen walks the same app to write the man
// page and the shell completion, so those cannot drift from the options the
// binary accepts.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.h"

namespace s5j::cli {

// The app with every command and --version. When a command is parsed, it
// stores the function to run in `action` (which must outlive the app).
std::unique_ptr<CLI::App> make_app(CommandAction& action);

}  // namespace s5j::cli
