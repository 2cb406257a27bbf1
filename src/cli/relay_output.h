// What the relay commands (stage, drain, relay) print: the event log's
// file name, the live progress line on a terminal, and the one-line summary
// (plus failure lines) at the end.
//
// Thread safety: ProgressLine runs its own thread and reads the engine's
// progress() (thread-safe); the free functions are pure.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "transfer/relay_engine.h"

namespace s5j::cli {

// "relay complete: 500 objects staged (1.2 GiB) and 500 uploaded and
// verified (1.2 GiB) in 12.3 s ...". `once` tells whether "complete" applies.
std::string relay_summary(const transfer::RelayReport& report);

// The live line's text for `role`: what is done of what there is to do, in
// words ("staged 145 of 307 to stage", "all 307 objects verified"), never a
// bare "145/0".
std::string relay_progress_text(transfer::RelayRole role, const transfer::RelayProgress& progress);

// After a run stopped on request: whether anything remains. "the job is
// complete" when every object of the job is verified, what the other leg
// still has to do when this leg's work is done, else "run again to resume".
std::string relay_stop_text(const transfer::RelayReport& report);

class RelayProgressLine {
 public:
  RelayProgressLine(const transfer::RelayEngine& engine, transfer::RelayRole role);
  ~RelayProgressLine();
  RelayProgressLine(const RelayProgressLine&) = delete;
  RelayProgressLine& operator=(const RelayProgressLine&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace s5j::cli
