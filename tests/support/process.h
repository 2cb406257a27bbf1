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

// Full path of a program found in PATH (run_process does not search it);
// fails the calling test (and returns `name`) when there is none.
std::string program_path(const std::string& name);

// A program started in the background, its output going to files, so a
// test can watch what it does and kill it at a chosen moment.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                    const std::string& output_dir);
  ~BackgroundProcess();  // kills (SIGKILL) and reaps it if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  int pid() const { return pid_; }
  bool running();  // false once it exited (reaps it)
  void kill(int signal);
  // Waits for the end; exit code as run_process, output read from the files.
  ProcessResult wait();

 private:
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_path_, err_path_;
};

}  // namespace s5j::testing
