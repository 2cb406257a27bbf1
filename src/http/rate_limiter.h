// RateLimiter: a token bucket that caps the bytes per second of every request
// of one transport together (NetworkOptions::max_bytes_per_sec is per side,
// not per connection).
//
// Model: the bucket holds up to `burst_bytes` tokens and refills at
// `bytes_per_sec`. A caller takes the tokens for bytes it has just moved;
// when the bucket runs dry it goes into debt and the caller waits until the
// debt is repaid. Debt is shared, so concurrent callers queue fairly: each
// waits for its own reservation after everyone who reserved before it. One
// call may take more than `burst_bytes` (a large curl chunk); it simply waits
// longer. Time comes from the injected Clock (steady_now and sleep_for), so a
// fake clock makes the arithmetic testable.
//
// Note: a transfer throttled below NetworkOptions::low_speed_bytes_per_sec for
// low_speed_time is aborted by libcurl as a Timeout; set the cap well above
// (low-speed limit x concurrency).
//
// Thread safety: all methods may be called from any number of threads. The
// lock is held only for the arithmetic, never while sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "base/clock.h"

namespace s5j::http {

class RateLimiter {
 public:
  // `bytes_per_sec` must be > 0. `burst_bytes` 0 picks default_burst().
  // The clock must outlive the limiter. The bucket starts full.
  RateLimiter(uint64_t bytes_per_sec, const Clock& clock, uint64_t burst_bytes = 0);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes `bytes` tokens and blocks (Clock::sleep_for) until they are paid for.
  void acquire(uint64_t bytes);

  // Takes `bytes` tokens now and returns how long the caller must wait before
  // using them (zero when the bucket had enough). acquire() = reserve + sleep.
  std::chrono::nanoseconds reserve(uint64_t bytes);

  uint64_t bytes_per_sec() const { return bytes_per_sec_; }
  uint64_t burst_bytes() const { return burst_bytes_; }

  // A tenth of a second of traffic, at least 64 KiB: smooth, yet no stall
  // for every small chunk.
  static uint64_t default_burst(uint64_t bytes_per_sec);

 private:
  const uint64_t bytes_per_sec_;
  const uint64_t burst_bytes_;
  const Clock& clock_;
  std::mutex mutex_;
  double tokens_;  // negative = debt
  std::chrono::steady_clock::time_point last_refill_;
};

}  // namespace s5j::http
