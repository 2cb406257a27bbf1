#include "cli/signal_handling.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <iostream>

#include "cli/exit_codes.h"

namespace s5j::cli {
namespace {

// Shared with the handler: only lock-free atomics and plain fds, so the
// handler stays async-signal-safe (write, _exit).
int g_wake[2] = {-1, -1};
std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free);

constexpr char kStop = 's';
constexpr char kQuit = 'q';  // the instance ends: the thread returns

void on_stop_signal(int) {
  const int saved_errno = errno;
  if (g_signals.fetch_add(1) + 1 >= 2) {
    static constexpr char kMessage[] = "\ns5j: exiting at once; the ledger stays consistent, the next run resumes\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(kInterrupted);
  }
  [[maybe_unused]] auto n = ::write(g_wake[1], &kStop, 1);
  errno = saved_errno;
}

}  // namespace

SignalHandling::SignalHandling(std::function<void()> stop) {
  g_signals = 0;
  if (::pipe2(g_wake, O_CLOEXEC) != 0) {
    std::cerr << "s5j: warning: cannot set up SIGINT/SIGTERM handling; a signal ends the run at once\n";
    return;
  }
  thread_ = std::thread([stop = std::move(stop)] {
    for (;;) {
      char c = 0;
      const ssize_t n = ::read(g_wake[0], &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n != 1 || c == kQuit) return;
      std::cerr << "\ns5j: stopping: finishing what is in flight and saving progress "
                   "(signal again to exit at once)\n";
      stop();
    }
  });
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // workers' I/O goes on undisturbed
  ::sigaction(SIGINT, &action, &old_int_);
  ::sigaction(SIGTERM, &action, &old_term_);
  installed_ = true;
}

SignalHandling::~SignalHandling() {
  if (!thread_.joinable()) return;
  if (installed_) {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  [[maybe_unused]] auto n = ::write(g_wake[1], &kQuit, 1);
  thread_.join();
  ::close(g_wake[0]);
  ::close(g_wake[1]);
  g_wake[0] = g_wake[1] = -1;
}

}  // namespace s5j::cli
