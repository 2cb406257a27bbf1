// FakeClock for the http unit tests: steady time moves only through
// sleep_for (when advance_on_sleep) or advance(); every sleep is recorded.
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "base/clock.h"

namespace s5j::http::testing_clock {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(bool advance_on_sleep = true) : advance_on_sleep_(advance_on_sleep) {}
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::time_point{}; }
  std::chrono::steady_clock::time_point steady_now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void sleep_for(std::chrono::milliseconds d) const override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(d);
    if (advance_on_sleep_) now_ += d;
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mutex_);
    now_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  }
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  std::chrono::milliseconds total_slept() const {
    std::lock_guard lock(mutex_);
    std::chrono::milliseconds sum{0};
    for (auto s : sleeps_) sum += s;
    return sum;
  }

 private:
  const bool advance_on_sleep_;
  mutable std::mutex mutex_;
  mutable std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  mutable std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace s5j::http::testing_clock
