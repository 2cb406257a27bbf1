#include "transfer/latency_tally.h"

namespace s5j::transfer {

void LatencyTally::record(std::chrono::nanoseconds took) {
  const double seconds = std::chrono::duration<double>(took).count();
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_nanoseconds_.fetch_add(static_cast<uint64_t>(took.count() > 0 ? took.count() : 0), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

LatencyTally::Snapshot LatencyTally::snapshot() const {
  Snapshot s;
  s.count = count_.load(std::memory_order_relaxed);
  s.sum_seconds = static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
  uint64_t running = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  // Records landing between the loads: the +Inf bucket (count) must not
  // be below the last finite one.
  if (s.count < running) s.count = running;
  return s;
}

}  // namespace s5j::transfer
