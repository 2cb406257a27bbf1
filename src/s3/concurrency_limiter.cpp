#include "s3/concurrency_limiter.h"

#include <algorithm>
#include <cmath>

namespace s5j::s3 {

ConcurrencyLimiter::Permit& ConcurrencyLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release(Outcome::neutral);
    limiter_ = other.limiter_;
    other.limiter_ = nullptr;
  }
  return *this;
}

void ConcurrencyLimiter::Permit::release(Outcome outcome) {
  if (limiter_ == nullptr) return;
  auto* limiter = limiter_;
  limiter_ = nullptr;
  limiter->release(outcome);
}

ConcurrencyLimiter::ConcurrencyLimiter(ConcurrencyOptions options, const Clock& clock)
    : options_(options),
      floor_(std::max(1, options.floor)),
      ceiling_(std::max(std::max(1, options.floor), options.ceiling)),
      clock_(clock),
      limit_(options.initial > 0 ? std::clamp(options.initial, floor_, ceiling_) : ceiling_) {}

ConcurrencyLimiter::Permit ConcurrencyLimiter::acquire() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return in_flight_ < static_cast<int>(limit_); });
  ++in_flight_;
  return Permit(this);
}

void ConcurrencyLimiter::release(Outcome outcome) {
  std::lock_guard lock(mutex_);
  const int was_in_flight = in_flight_;
  --in_flight_;
  if (outcome == Outcome::throttled) {
    const auto now = clock_.steady_now();
    if (!decreased_once_ || now - last_decrease_ >= options_.decrease_interval) {
      // Decrease from what was really in flight: with a ceiling far above
      // the demand, halving the unused headroom would change nothing.
      const double base = std::min(limit_, static_cast<double>(was_in_flight));
      limit_ = std::max(static_cast<double>(floor_), std::floor(base * options_.decrease_factor));
      last_decrease_ = now;
      decreased_once_ = true;
      ++decreases_;
    }
  } else if (outcome == Outcome::success && limit_ < ceiling_) {
    // Grow only while the limit is in use, else it would drift up to the
    // ceiling without ever being tested against the server.
    if (was_in_flight * 2 >= static_cast<int>(limit_))
      limit_ = std::min(static_cast<double>(ceiling_), limit_ + 1.0 / limit_);
  }
  cv_.notify_all();
}

int ConcurrencyLimiter::limit() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(limit_);
}

int ConcurrencyLimiter::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

uint64_t ConcurrencyLimiter::decreases() const {
  std::lock_guard lock(mutex_);
  return decreases_;
}

}  // namespace s5j::s3
