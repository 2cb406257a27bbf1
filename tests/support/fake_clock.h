// FakeClock: a Clock whose time moves only when told to; sleep_for()
// advances it at once and records the requested delays, so retry backoff
// is tested without waiting.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "base/clock.h"

namespace s5j::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    std::lock_guard lock(mutex_);
    return wall_;
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    std::lock_guard lock(mutex_);
    return steady_;
  }
  void sleep_for(std::chrono::milliseconds d) const override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(d);
    wall_ += d;
    steady_ += d;
  }
  void advance(std::chrono::milliseconds d) { sleep_for(d); }
  void set_wall(std::chrono::system_clock::time_point t) {
    std::lock_guard lock(mutex_);
    wall_ = t;
  }
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'700'000'000)};
  mutable std::chrono::steady_clock::time_point steady_{std::chrono::seconds(1000)};
  mutable std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace s5j::testing
