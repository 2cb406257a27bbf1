#include "transfer/side_gate.h"

#include <algorithm>

namespace s5j::transfer {
namespace {

int64_t seconds_of(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d + std::chrono::milliseconds(999)).count();
}

}  // namespace

SideGate::SideGate(SideGateSettings settings, Probe probe, const Clock& clock, log::EventLog& events)
    : settings_(std::move(settings)), probe_(std::move(probe)), clock_(clock), events_(events) {}

bool SideGate::probe_locked(std::unique_lock<std::mutex>& lock, Error& why) {
  lock.unlock();
  const Status probed = probe_();
  lock.lock();
  probing_ = false;
  cv_.notify_all();
  if (probed) return true;
  why = probed.error();
  return false;
}

void SideGate::close_locked(const Error& error) {
  backoff_ = settings_.first_retry;
  next_probe_ = clock_.steady_now() + backoff_;
  const auto now = clock_.now();
  refusal_ = SideRefusal{error, now, now + backoff_, backoff_};
  events_.emit(settings_.side + "_refused", {{"code", error.code},
                                             {"error", error.message},
                                             {"retry_in_s", seconds_of(backoff_)},
                                             {"note", "work on this side waits until it accepts the run again"}});
}

SideGate::Verdict SideGate::refused(const Error& error) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !probing_ || stopping_; });
  if (refusal_ || stopping_) return Verdict::side_refused;
  probing_ = true;
  Error why = error;
  if (probe_locked(lock, why)) {
    events_.emit(settings_.side + "_probe_accepted",
                 {{"code", error.code}, {"note", "the side accepts the run: the refusal was the object's own"}});
    return Verdict::object_refused;
  }
  if (refusal_) return Verdict::side_refused;  // another thread closed it meanwhile
  close_locked(why);
  lock.unlock();
  changed();
  return Verdict::side_refused;
}

bool SideGate::wait_open() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_) return false;
    if (!refusal_) return true;
    if (probing_) {
      cv_.wait(lock);
      continue;
    }
    const auto now = clock_.steady_now();
    if (now < next_probe_) {
      cv_.wait_for(lock, next_probe_ - now);
      continue;
    }
    probing_ = true;
    Error why = refusal_->error;
    const bool accepted = probe_locked(lock, why);
    if (!refusal_) return !stopping_;  // opened by another path meanwhile
    if (accepted) {
      const auto closed_for = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - refusal_->since);
      refusal_.reset();
      events_.emit(settings_.side + "_accepted", {{"refused_for_s", seconds_of(closed_for)}});
      cv_.notify_all();
      lock.unlock();
      changed();
      return true;
    }
    backoff_ = std::min(backoff_ * 2, settings_.max_retry);
    next_probe_ = clock_.steady_now() + backoff_;
    refusal_->error = why;
    refusal_->retry_at = clock_.now() + backoff_;
    refusal_->retry_in = backoff_;
    events_.emit(settings_.side + "_still_refused",
                 {{"code", why.code}, {"error", why.message}, {"retry_in_s", seconds_of(backoff_)}});
    lock.unlock();
    changed();
    lock.lock();
  }
}

void SideGate::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  cv_.notify_all();
}

bool SideGate::is_open() const {
  std::lock_guard lock(mutex_);
  return !refusal_.has_value();
}

std::optional<SideRefusal> SideGate::refusal() const {
  std::lock_guard lock(mutex_);
  return refusal_;
}

void SideGate::changed() {
  if (on_change_) on_change_();
}

}  // namespace s5j::transfer
