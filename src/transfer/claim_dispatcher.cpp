#include "transfer/claim_dispatcher.h"

namespace s5j::transfer {

ClaimDispatcher::ClaimDispatcher(DispatcherSettings settings, ledger::Ledger& ledger, GroupCommit& committer,
                                 log::EventLog& events)
    : settings_(std::move(settings)), ledger_(ledger), committer_(committer), events_(events) {}

void ClaimDispatcher::request_stop() {
  if (stop_.exchange(true)) return;
  if (on_stop_) on_stop_();
  std::lock_guard lock(mutex_);
  cv_.notify_all();
}

void ClaimDispatcher::set_fatal(Error e) {
  {
    std::lock_guard lock(mutex_);
    if (!fatal_) fatal_ = std::move(e);
    stop_ = true;
  }
  if (on_stop_) on_stop_();
  std::lock_guard lock(mutex_);
  cv_.notify_all();
}

std::optional<Error> ClaimDispatcher::fatal() const {
  std::lock_guard lock(mutex_);
  return fatal_;
}

size_t ClaimDispatcher::waiting_on_busy() const {
  std::lock_guard lock(mutex_);
  return waiting_on_busy_;
}

void ClaimDispatcher::wake() {
  std::lock_guard lock(mutex_);
  ++wakes_;
  cv_.notify_all();
}

bool ClaimDispatcher::idle_wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = wakes_;
  cv_.wait_for(lock, d, [&] { return stop_.load() || wakes_ != seen; });
  return !stop_.load();
}

std::optional<ledger::ObjectRecord> ClaimDispatcher::next() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_ || done_) return std::nullopt;
    if (!queue_.empty()) {
      auto r = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      return r;
    }
    if (claiming_) {
      cv_.wait(lock);
      continue;
    }
    claiming_ = true;
    const uint64_t wakes_before = wakes_;
    lock.unlock();
    // Commit what workers queued so the claim sees current states.
    auto flushed = committer_.commit();
    Result<std::vector<ledger::ObjectRecord>> claimed = std::vector<ledger::ObjectRecord>{};
    if (flushed) {
      ledger::ClaimRequest request;
      request.job = settings_.job;
      request.max = settings_.claim_batch;
      request.owner = settings_.owner;
      request.lease = settings_.lease;
      request.from = settings_.from;
      claimed = ledger_.claim(request);
    }
    lock.lock();
    claiming_ = false;
    if (!flushed || !claimed) {
      Error e = !flushed ? flushed.error() : claimed.error();
      lock.unlock();
      set_fatal(e);
      lock.lock();
      continue;
    }
    if (!claimed->empty()) {
      {
        std::lock_guard held_lock(held_mutex_);
        for (const auto& r : *claimed) held_.insert(r.id);
      }
      for (auto& r : *claimed) queue_.push_back(std::move(r));
      cv_.notify_all();
      continue;
    }
    if (busy_ == 0) {  // nothing to claim and nobody who could make more
      if (on_idle_) {
        claiming_ = true;  // the others wait while this thread decides
        lock.unlock();
        const Idle idle = on_idle_();
        lock.lock();
        claiming_ = false;
        cv_.notify_all();
        if (idle == Idle::claim_again) continue;
      }
      done_ = true;
      cv_.notify_all();
      return std::nullopt;
    }
    if (wakes_ != wakes_before) continue;  // new work was announced during the claim
    // A busy worker may yet put work back in line.
    ++waiting_on_busy_;
    cv_.wait(lock);
    --waiting_on_busy_;
  }
}

void ClaimDispatcher::finished() {
  std::lock_guard lock(mutex_);
  --busy_;
  // Only workers whose claim found nothing wait on the busy ones; the others
  // wait for the claim in progress, which wakes them when it ends. Waking
  // every waiter at every finished object cost ~20 futex calls per object.
  if (waiting_on_busy_ > 0) cv_.notify_all();
}

void ClaimDispatcher::queue_or_fail(ledger::Transition t) {
  if (auto q = ledger_.queue(std::move(t)); !q) set_fatal(q.error());
}

void ClaimDispatcher::unhold(ledger::ObjectId id) {
  std::lock_guard lock(held_mutex_);
  held_.erase(id);
}

void ClaimDispatcher::hand_back(ledger::ObjectId id) {
  std::vector<ledger::ObjectId> ids{id};
  (void)ledger_.release(ids, settings_.owner);
  unhold(id);
}

void ClaimDispatcher::renew_leases() {
  std::vector<ledger::ObjectId> ids;
  {
    std::lock_guard lock(held_mutex_);
    ids.assign(held_.begin(), held_.end());
  }
  if (ids.empty()) return;
  auto lost = ledger_.renew(ids, settings_.owner, settings_.lease);
  if (lost && !lost->empty()) events_.emit("leases_lost", {{"objects", lost->size()}});
}

void ClaimDispatcher::release_unstarted() {
  std::vector<ledger::ObjectId> unstarted;
  {
    std::lock_guard lock(mutex_);
    for (const auto& r : queue_) unstarted.push_back(r.id);
  }
  if (!unstarted.empty()) (void)ledger_.release(unstarted, settings_.owner);
}

}  // namespace s5j::transfer
