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

class RelayProgressLine {
 public:
  explicit RelayProgressLine(const transfer::RelayEngine& engine);
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
