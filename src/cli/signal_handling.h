// SignalHandling: SIGINT/SIGTERM for the long-running commands (sync,
// stage, drain, relay). The first signal calls `stop` (stop claiming,
// finish or checkpoint what is in flight, commit, exit 0); a second exits
// at once with kInterrupted (the ledger stays consistent: every commit is
// atomic, and the next run resumes).
//
// While an instance lives, SIGINT/SIGTERM go to a process-wide handler
// that only wakes a dedicated thread (self-pipe), so `stop` runs on that
// thread, never in a signal handler. Being a handler rather than a blocked
// mask, it works whichever thread the kernel picks, also threads started
// before the instance (an engine's worker pools start in its constructor).
// Previous dispositions are restored when the instance ends.
//
// Thread safety: one instance at a time in a process; construct and destroy
// on one thread; `stop` must be safe to call from another thread.
#pragma once

#include <signal.h>

#include <functional>
#include <thread>

namespace s5j::cli {

class SignalHandling {
 public:
  explicit SignalHandling(std::function<void()> stop);
  ~SignalHandling();
  SignalHandling(const SignalHandling&) = delete;
  SignalHandling& operator=(const SignalHandling&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  bool installed_ = false;
  std::thread thread_;
};

}  // namespace s5j::cli
