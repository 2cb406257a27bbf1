// Clock: wall time and monotonic time behind an interface, so tests can
// control time (retry backoff, clock-skew correction, throughput figures).
// Implementations must be thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace s5j {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch (UTC), used for request signing.
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time for measuring durations and deadlines.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  // Blocks the calling thread; a fake clock advances instead.
  virtual void sleep_for(std::chrono::milliseconds d) const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
  void sleep_for(std::chrono::milliseconds d) const override;
  // Process-wide instance.
  static const SystemClock& instance();
};

}  // namespace s5j
