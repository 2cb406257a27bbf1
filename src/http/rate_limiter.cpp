#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace s5j::http {

uint64_t RateLimiter::default_burst(uint64_t bytes_per_sec) {
  return std::max<uint64_t>(bytes_per_sec / 10, 64 * 1024);
}

RateLimiter::RateLimiter(uint64_t bytes_per_sec, const Clock& clock, uint64_t burst_bytes)
    : bytes_per_sec_(std::max<uint64_t>(bytes_per_sec, 1)),
      burst_bytes_(burst_bytes != 0 ? burst_bytes : default_burst(bytes_per_sec_)),
      clock_(clock),
      tokens_(static_cast<double>(burst_bytes_)),
      last_refill_(clock.steady_now()) {}

std::chrono::nanoseconds RateLimiter::reserve(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  // A clock that stands still (or a fake one stepped back) must not mint
  // tokens, hence only positive elapsed time refills.
  if (now > last_refill_) {
    const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
    tokens_ = std::min(static_cast<double>(burst_bytes_), tokens_ + elapsed * static_cast<double>(bytes_per_sec_));
    last_refill_ = now;
  }
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  // Time until the debt (including everyone else's before us) is repaid.
  const double seconds = -tokens_ / static_cast<double>(bytes_per_sec_);
  return std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(seconds * 1e9)));
}

void RateLimiter::acquire(uint64_t bytes) {
  const auto wait = reserve(bytes);
  if (wait <= std::chrono::nanoseconds(0)) return;
  // Round up so a waiter never starts before its tokens exist.
  clock_.sleep_for(std::chrono::ceil<std::chrono::milliseconds>(wait));
}

}  // namespace s5j::http
