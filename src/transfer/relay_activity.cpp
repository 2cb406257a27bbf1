#include "transfer/relay_activity.h"

namespace s5j::transfer {

void RelayActivity::start(bool stage, bool drain) {
  std::lock_guard lock(mutex_);
  started_ = true;
  stage_ = stage ? Leg::working : Leg::absent;
  drain_ = drain ? Leg::working : Leg::absent;
  publish_locked();
}

void RelayActivity::stage_working() {
  std::lock_guard lock(mutex_);
  stage_ = Leg::working;
  publish_locked();
}

void RelayActivity::stage_scanning(std::optional<ledger::TimePoint> next_scan_at) {
  std::lock_guard lock(mutex_);
  stage_ = Leg::scanning;
  next_scan_at_ = next_scan_at;
  publish_locked();
}

void RelayActivity::stage_idle() {
  std::lock_guard lock(mutex_);
  stage_ = Leg::idle;
  publish_locked();
}

void RelayActivity::drain_working() {
  std::lock_guard lock(mutex_);
  drain_ = Leg::working;
  publish_locked();
}

void RelayActivity::drain_idle() {
  std::lock_guard lock(mutex_);
  drain_ = Leg::idle;
  publish_locked();
}

void RelayActivity::space_wait(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  wanted_bytes_ = bytes;
  publish_locked();
}

void RelayActivity::stopping() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  run_.set_activity("stopping");
}

void RelayActivity::refresh() {
  std::lock_guard lock(mutex_);
  publish_locked();
}

void RelayActivity::publish_locked() {
  // A stop that came before the run held its lock could not be published
  // then; JobRun writes nothing when it already was.
  if (stopping_) return run_.set_activity("stopping");
  if (!started_) return;  // starting / listing are the engine's
  const SideGate* gate = gate_.load();
  if (auto refusal = gate != nullptr ? gate->refusal() : std::nullopt) {
    ledger::RunActivity a;
    a.name = "destination_refused";
    a.detail = refusal->error.code + ": " + refusal->error.message;
    a.retry_at = refusal->retry_at;
    return run_.set_activity(std::move(a));
  }
  const staging::Stager* stager = stager_.load();
  if (stage_ != Leg::absent && stager != nullptr && stager->waiting_for_space()) {
    run_.set_activity("waiting_for_space", wanted_bytes_);
  } else if (stage_ == Leg::working || drain_ == Leg::working) {
    run_.set_activity("transferring");
  } else if (stage_ == Leg::scanning) {
    run_.set_activity("scanning", std::nullopt, next_scan_at_);
  } else {
    run_.set_activity("idle");
  }
}

}  // namespace s5j::transfer
