// Runs a program to completion and captures its output, for tests that
// drive the s5j binary as an operator would.
#pragma once

#include <string>
#include <vector>

namespace s5j::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// argv[0] is the program path. `extra_env` entries ("NAME=value") are added
// to (or override) the current environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

}  // namespace s5j::testing
