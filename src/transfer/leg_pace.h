// LegPace: how fast one leg of this run moves objects, per object-size
// class (ledger/size_class.h), for the ETA (ops/eta.h) and the per-worker
// figures of `status`. The run publishes a snapshot every kFiguresPeriod
// (RunFigures on its lock row), so `status` in another process, and every
// worker of a fleet, see the same figures.
//
// What is measured, and why:
//   * per class, the worker-seconds an object takes (the time from the
//     start of its transfer to its end), the mean of the class's last
//     kPaceSamples completions: how long an object of that size occupies
//     a worker here. It is kept while the class is not seen, so a class
//     met an hour ago still has a pace when its turn comes again;
//   * the workers busy on average (in a transfer; not waiting for a claim,
//     for memory or for space) since the previous snapshot at least
//     kPaceWindow ago: how many objects move at once.
// Remaining objects × seconds per object, summed over classes and divided
// by the busy workers, is the time left (ops/eta.h). Unlike bytes per
// second of the last minute, it stays right when what is left is of other
// sizes than what just moved (10^7 small logs after a run of videos).
//
// Thread safety: every method from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "base/clock.h"
#include "ledger/size_class.h"

namespace s5j::transfer {

inline constexpr size_t kPaceSamples = 256;
inline constexpr std::chrono::seconds kPaceWindow{60};

struct ClassPace {
  uint64_t samples = 0;             // completions the mean is over (at most kPaceSamples)
  double seconds_per_object = 0;    // mean worker-seconds per object
  double mean_size = 0;             // mean size of those objects, bytes
  bool operator==(const ClassPace&) const = default;
};

struct LegPaceFigures {
  std::string leg;                  // "copy", "stage", "drain"
  double busy_workers = 0;          // objects in a transfer, on average over the window
  double objects_per_second = 0;    // completed, over the window
  double bytes_per_second = 0;
  std::array<ClassPace, ledger::kSizeClasses> classes{};
  bool operator==(const LegPaceFigures&) const = default;
};

class LegPace {
 public:
  LegPace(std::string leg, const Clock& clock);

  // A transfer began.
  void started();
  // A transfer ended after `elapsed`; `completed`: it moved the object
  // (counted in its class's pace), else it failed or stopped.
  void finished(uint64_t size, std::chrono::steady_clock::duration elapsed, bool completed);

  // The figures now. The busy workers and rates are over the time since
  // the oldest snapshot taken at most kPaceWindow ago (since the leg began
  // at first).
  LegPaceFigures snapshot();

 private:
  struct Reading {
    std::chrono::steady_clock::time_point at;
    double busy_integral;  // worker-seconds in transfers since the start
    uint64_t objects, bytes;
  };
  void advance_locked(std::chrono::steady_clock::time_point now);
  Reading reading_locked(std::chrono::steady_clock::time_point now);

  const std::string leg_;
  const Clock& clock_;
  std::mutex mutex_;
  // guarded by mutex_:
  std::chrono::steady_clock::time_point last_change_;
  int busy_ = 0;
  double busy_integral_ = 0;
  uint64_t objects_ = 0, bytes_ = 0;
  std::array<std::deque<std::pair<double, uint64_t>>, ledger::kSizeClasses> samples_;  // (seconds, size)
  std::array<std::pair<double, double>, ledger::kSizeClasses> sums_{};                 // over samples_
  std::deque<Reading> readings_;
};

}  // namespace s5j::transfer
