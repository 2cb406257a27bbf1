// s5j: entry point. main parses the command line with the app of
// cli/app.h and runs the command chosen. Its return value is the exit code
// (cli/exit_codes.h, documented in README.md).
#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  s5j::cli::CommandAction action;
  const auto app = s5j::cli::make_app(action);
  try {
    app->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app->exit(e);
    return code == 0 ? s5j::cli::kOk : s5j::cli::kUsage;
  }
  return action ? action() : s5j::cli::kUsage;
}
