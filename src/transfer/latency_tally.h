// LatencyTally: how long an operation took, counted in fixed buckets
// (cumulative counts, as a Prometheus histogram wants them), for figures
// the run reports (e.g. the ledger's group commits). Lock-free.
//
// Thread safety: record() and snapshot() from any thread; a snapshot taken
// while records land may be off by those records, never torn per field.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace s5j::transfer {

class LatencyTally {
 public:
  // Upper bounds in seconds: from a group commit on a fast SSD to a slow
  // network filesystem's fsync.
  static constexpr std::array<double, 10> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};

  void record(std::chrono::nanoseconds took);

  struct Snapshot {
    uint64_t count = 0;
    double sum_seconds = 0;
    std::array<uint64_t, kBounds.size()> cumulative{};  // samples <= kBounds[i]
  };
  Snapshot snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};  // samples in (kBounds[i-1], kBounds[i]]
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanoseconds_{0};
};

}  // namespace s5j::transfer
