#include "transfer/leg_pace.h"

#include <algorithm>

namespace s5j::transfer {

LegPace::LegPace(std::string leg, const Clock& clock) : leg_(std::move(leg)), clock_(clock) {
  last_change_ = clock_.steady_now();
  readings_.push_back({last_change_, 0, 0, 0});
}

void LegPace::advance_locked(std::chrono::steady_clock::time_point now) {
  if (now > last_change_) {
    busy_integral_ += busy_ * std::chrono::duration<double>(now - last_change_).count();
    last_change_ = now;
  }
}

void LegPace::started() {
  std::lock_guard lock(mutex_);
  advance_locked(clock_.steady_now());
  ++busy_;
}

void LegPace::finished(uint64_t size, std::chrono::steady_clock::duration elapsed, bool completed) {
  std::lock_guard lock(mutex_);
  advance_locked(clock_.steady_now());
  busy_ = std::max(0, busy_ - 1);
  if (!completed) return;
  ++objects_;
  bytes_ += size;
  const size_t c = static_cast<size_t>(ledger::size_class_of(size));
  const double seconds = std::chrono::duration<double>(elapsed).count();
  auto& ring = samples_[c];
  auto& [seconds_sum, size_sum] = sums_[c];
  ring.emplace_back(seconds, size);
  seconds_sum += seconds;
  size_sum += static_cast<double>(size);
  if (ring.size() > kPaceSamples) {
    seconds_sum -= ring.front().first;
    size_sum -= static_cast<double>(ring.front().second);
    ring.pop_front();
  }
}

LegPace::Reading LegPace::reading_locked(std::chrono::steady_clock::time_point now) {
  advance_locked(now);
  return {now, busy_integral_, objects_, bytes_};
}

LegPaceFigures LegPace::snapshot() {
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  const Reading current = reading_locked(now);
  // The window starts at the oldest reading no more than kPaceWindow old
  // (or the newest older one, so that a window always exists).
  while (readings_.size() > 1 && now - readings_[1].at >= kPaceWindow) readings_.pop_front();
  const Reading& from = readings_.front();
  LegPaceFigures f;
  f.leg = leg_;
  const double span = std::chrono::duration<double>(now - from.at).count();
  if (span > 0) {
    f.busy_workers = (current.busy_integral - from.busy_integral) / span;
    f.objects_per_second = static_cast<double>(current.objects - from.objects) / span;
    f.bytes_per_second = static_cast<double>(current.bytes - from.bytes) / span;
  }
  readings_.push_back(current);
  for (size_t c = 0; c < f.classes.size(); ++c) {
    const auto n = samples_[c].size();
    if (n == 0) continue;
    f.classes[c] = {n, std::max(0.0, sums_[c].first) / static_cast<double>(n),
                    std::max(0.0, sums_[c].second) / static_cast<double>(n)};
  }
  return f;
}

}  // namespace s5j::transfer
