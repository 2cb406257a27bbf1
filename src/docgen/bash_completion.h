// Bash completion for s5j, rendered from the command line (cli_model):
// commands and subcommands, each command's options, the values of options
// with a fixed set of choices, and file names (config files: *.yaml, *.yml)
// for options that take a path. Needs the bash-completion package's
// helpers (_init_completion, _filedir), as every completion in
// /usr/share/bash-completion/completions does.
#pragma once

#include <string>

#include "docgen/cli_model.h"

namespace s5j::docgen {

std::string render_bash_completion(const CommandModel& cli);

}  // namespace s5j::docgen
