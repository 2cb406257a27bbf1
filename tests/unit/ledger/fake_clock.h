// FakeClock: a Clock that moves only when a test advances it (lease expiry
// without sleeping). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "base/clock.h"

namespace s5j::testing {

class FakeClock final : public Clock {
 public:
  // 2024-01-01T00:00:00Z, so timestamps look real in a ledger dump.
  explicit FakeClock(int64_t start_ms = 1'704'067'200'000) : ms_(start_ms) {}

  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms_.load()));
  }
  void sleep_for(std::chrono::milliseconds d) const override { ms_ += d.count(); }
  void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  mutable std::atomic<int64_t> ms_;
};

}  // namespace s5j::testing
