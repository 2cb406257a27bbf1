// Shared plumbing of the subcommands: loading the config with its warnings,
// the redactor built from its secrets, and printing an Error as the one
// line an operator sees.
#pragma once

#include <string>

#include "base/error.h"
#include "config/config.h"
#include "log/redactor.h"

namespace s5j::cli {

log::Redactor redactor_for(const config::Config& config);

// Prints "s5j: <message>" on stderr (redacted) and returns the exit code.
int report_failure(const Error& error, const log::Redactor& redactor);

// `error` with its message led by the side it happened on ("destination:
// ..."), so an operator knows which credentials or bucket to fix.
Error on_side(std::string_view side, Error error);

// Loads the config and prints its warnings on stderr; on failure prints the
// error. Returns nullopt-like Result whose error was already reported.
// `warnings` false: the warnings are not printed (a command run as a step
// of `s5j transfer`, which printed them once already).
Result<config::Config> load_config_for_command(const std::string& path, bool warnings = true);

}  // namespace s5j::cli
