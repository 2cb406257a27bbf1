#include "ops/eta.h"

#include <algorithm>
#include <array>
#include <map>

#include "ledger/size_class.h"

namespace s5j::ops {
namespace {

using ledger::ObjectState;

// The states whose objects a leg still has to move.
std::vector<ObjectState> states_left_for(const std::string& leg) {
  if (leg == "copy") return {ObjectState::pending, ObjectState::copying};
  if (leg == "stage") return {ObjectState::pending, ObjectState::staging};
  if (leg == "drain")
    return {ObjectState::pending, ObjectState::staging, ObjectState::staged, ObjectState::uploading};
  return {};
}

struct ClassLeft {
  double objects = 0, bytes = 0;
};

struct LegPaceSum {
  double busy = 0;
  std::array<double, ledger::kSizeClasses> samples{}, seconds{}, size{};  // sums weighted by samples
};

// Seconds per object of a class of mean size `s`, from a measured class
// (size s_k, time t_k): no less time when bigger, no more time per byte.
struct Bounds {
  double low = 0, high = 0;
};
Bounds bounds_from(double s, double s_k, double t_k) {
  if (s >= s_k) return {t_k, s_k > 0 ? t_k * s / s_k : t_k};
  return {s_k > 0 ? t_k * s / s_k : 0.0, t_k};
}

}  // namespace

EtaEstimate estimate_eta(const std::vector<ledger::SizeClassTotals>& totals,
                         const std::vector<transfer::RunFigures>& runs) {
  std::map<std::string, LegPaceSum> legs;
  for (const auto& run : runs)
    for (const auto& l : run.legs) {
      if (states_left_for(l.leg).empty()) continue;
      auto& sum = legs[l.leg];
      sum.busy += l.busy_workers;
      for (size_t c = 0; c < l.classes.size(); ++c) {
        const auto& p = l.classes[c];
        if (p.samples == 0) continue;
        const double n = static_cast<double>(p.samples);
        sum.samples[c] += n;
        sum.seconds[c] += n * p.seconds_per_object;
        sum.size[c] += n * p.mean_size;
      }
    }

  EtaEstimate best;
  for (const auto& [name, pace] : legs) {
    const auto states = states_left_for(name);
    std::array<ClassLeft, ledger::kSizeClasses> left{};
    for (const auto& t : totals)
      if (std::find(states.begin(), states.end(), t.state) != states.end() && t.size_class >= 0 &&
          t.size_class < ledger::kSizeClasses) {
        left[static_cast<size_t>(t.size_class)].objects += static_cast<double>(t.objects);
        left[static_cast<size_t>(t.size_class)].bytes += static_cast<double>(t.bytes);
      }
    std::vector<int> measured;
    for (int c = 0; c < ledger::kSizeClasses; ++c)
      if (pace.samples[static_cast<size_t>(c)] > 0) measured.push_back(c);
    auto t_of = [&](int c) { return pace.seconds[static_cast<size_t>(c)] / pace.samples[static_cast<size_t>(c)]; };
    auto s_of = [&](int c) { return pace.size[static_cast<size_t>(c)] / pace.samples[static_cast<size_t>(c)]; };

    double work = 0;  // worker-seconds left
    bool any_left = false, unknown = false;
    std::vector<std::string> inferred;
    for (int c = 0; c < ledger::kSizeClasses; ++c) {
      const ClassLeft& l = left[static_cast<size_t>(c)];
      if (l.objects <= 0) continue;
      any_left = true;
      if (pace.samples[static_cast<size_t>(c)] > 0) {
        work += l.objects * t_of(c);
        continue;
      }
      if (measured.empty()) {
        unknown = true;
        break;
      }
      // The measured classes nearest to c: one on each side if there are,
      // else the two nearest on the one side.
      std::vector<int> near = measured;
      std::sort(near.begin(), near.end(), [c](int a, int b) { return std::abs(a - c) < std::abs(b - c); });
      const double s = l.bytes / l.objects;
      Bounds b{0, 1e300};
      for (int k : measured) {  // every measured class bounds it
        const Bounds one = bounds_from(s, s_of(k), t_of(k));
        b.low = std::max(b.low, one.low);
        b.high = std::min(b.high, one.high);
      }
      if (b.low > b.high) b.low = b.high;
      double t = b.high;
      if (near.size() >= 2) {
        const int k1 = near[0], k2 = near[1];
        const double s1 = s_of(k1), s2 = s_of(k2);
        if (s2 != s1) t = std::clamp(t_of(k1) + (s - s1) * (t_of(k2) - t_of(k1)) / (s2 - s1), b.low, b.high);
      }
      work += l.objects * t;
      inferred.emplace_back(ledger::size_class_name(c));
    }
    if (unknown) continue;
    double seconds = 0;
    if (any_left) {
      if (pace.busy <= 0) continue;  // the leg moves nothing now: its time is not known
      seconds = work / pace.busy;
    }
    if (!best.seconds || seconds > *best.seconds) {
      best.seconds = seconds;
      best.leg = name;
      best.inferred_classes = std::move(inferred);
    }
  }
  return best;
}

}  // namespace s5j::ops
