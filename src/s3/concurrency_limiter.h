// ConcurrencyLimiter: how many requests one S3 client may have in flight,
// adapted to the server's throttling (AIMD, as TCP's congestion window).
//
// The limit lies between a floor and a ceiling. A throttling answer (503
// SlowDown, 429, Throttling & co.) multiplies it down, at most once per
// `decrease_interval` (the answers of one burst all report the same
// overload), starting from what was really in flight when the limit was far
// above it; each success while the limit is in use raises it additively by
// 1/limit, so a whole round of successes adds one request. Requests beyond
// the limit wait in acquire() until a permit is released.
//
// With the default ceiling no normal run is limited: the limit only matters
// once a server has asked to slow down.
//
// Thread safety: all members are safe from many threads. acquire() blocks;
// it never waits for time, only for other requests to finish, so the floor
// (at least 1) guarantees progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "base/clock.h"

namespace s5j::s3 {

struct ConcurrencyOptions {
  int ceiling = 4096;  // never more requests in flight than this
  int floor = 1;       // never fewer allowed than this (>= 1)
  int initial = 0;     // starting limit; 0: the ceiling
  double decrease_factor = 0.5;  // limit *= factor on throttling
  std::chrono::milliseconds decrease_interval{500};  // at most one decrease per interval
};

class ConcurrencyLimiter {
 public:
  enum class Outcome {
    success,    // the server answered normally: may raise the limit
    throttled,  // the server asked to slow down: lowers the limit
    neutral,    // anything else (4xx, broken connection): no change
  };

  // A right to have one request in flight; released (with its outcome) by
  // release() or, as neutral, by the destructor.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept : limiter_(other.limiter_) { other.limiter_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(Outcome::neutral); }
    void release(Outcome outcome);

   private:
    friend class ConcurrencyLimiter;
    explicit Permit(ConcurrencyLimiter* limiter) : limiter_(limiter) {}
    ConcurrencyLimiter* limiter_ = nullptr;
  };

  // Floor and ceiling are clamped so that 1 <= floor <= ceiling.
  ConcurrencyLimiter(ConcurrencyOptions options, const Clock& clock);

  // Waits until fewer than limit() requests are in flight.
  Permit acquire();

  int limit() const;       // requests allowed in flight now
  int in_flight() const;   // requests holding a permit now
  int floor() const { return floor_; }
  int ceiling() const { return ceiling_; }
  uint64_t decreases() const;  // times the limit was lowered, for status/tests

 private:
  void release(Outcome outcome);

  const ConcurrencyOptions options_;
  const int floor_;
  const int ceiling_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  double limit_;    // guarded by mutex_; its integer part is the limit
  int in_flight_ = 0;  // guarded by mutex_
  uint64_t decreases_ = 0;  // guarded by mutex_
  bool decreased_once_ = false;  // guarded by mutex_
  std::chrono::steady_clock::time_point last_decrease_{};  // guarded by mutex_
};

}  // namespace s5j::s3
