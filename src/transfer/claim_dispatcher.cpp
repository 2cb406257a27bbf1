#include "transfer/claim_dispatcher.h"

namespace s5j::transfer {

ClaimDispatcher::ClaimDispatcher(DispatcherSettings settings, ledger::Ledger& ledger, GroupCommit& committer,
                                 log::EventLog& events)
    : settings_(std::move(settings)), ledger_(ledger), committer_(committer), events_(events) {
  leases_good_at_ = settings_.clock->steady_now();
}

void ClaimDispatcher::request_stop() {
  if (stop_.exchange(true)) return;
  if (on_stop_) on_stop_();
  std::lock_guard lock(mutex_);
  cv_.notify_all();
  idle_cv_.notify_all();
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
  idle_cv_.notify_all();
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
  idle_cv_.notify_all();
  if (claim_worthwhile_) return;  // a claim is already due: its claimer was woken, or is claiming
  claim_worthwhile_ = true;
  if (!claiming_ && waiting_ > 0) cv_.notify_one();
}

bool ClaimDispatcher::idle_wait(std::chrono::milliseconds d) {
  return idle_wait_while([] { return true; }, d);
}

bool ClaimDispatcher::idle_wait_while(const std::function<bool()>& waiting, std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = wakes_;
  idle_cv_.wait_for(lock, d, [&] { return stop_.load() || wakes_ != seen || !waiting(); });
  return !stop_.load();
}

void ClaimDispatcher::hold_claims(bool hold) {
  std::lock_guard lock(mutex_);
  claims_held_ = hold;
  if (hold) return;
  claim_worthwhile_ = true;
  cv_.notify_all();
}

void ClaimDispatcher::wake_for_claimed_locked(size_t queued) {
  // The claiming thread takes one record itself.
  const size_t wanted = queued - 1 + (claim_worthwhile_ ? 1 : 0);
  if (wanted >= waiting_) {
    cv_.notify_all();
    return;
  }
  for (size_t i = 0; i < wanted; ++i) cv_.notify_one();
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
    // Wait for the claim in progress, or, when the last claim found nothing,
    // for a busy worker (it may put work back) or wake(); or for the claims
    // to be let go.
    if (claims_held_) {
      ++waiting_;
      cv_.wait(lock);
      --waiting_;
      continue;
    }
    if (claiming_ || (!claim_worthwhile_ && busy_ > 0)) {
      const bool on_busy = !claiming_;
      ++waiting_;
      if (on_busy) ++waiting_on_busy_;
      cv_.wait(lock);
      if (on_busy) --waiting_on_busy_;
      --waiting_;
      continue;
    }
    claiming_ = true;
    claim_worthwhile_ = false;
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
      request.staged_host = settings_.staged_host;
      claimed = ledger_.claim(request);
    }
    lock.lock();
    if (!flushed || !claimed) {
      Error e = !flushed ? flushed.error() : claimed.error();
      if (outage_ != nullptr && outage_->tolerate(e)) {
        // The others keep waiting (claiming_) while this thread pauses.
        const auto until = std::chrono::steady_clock::now() + outage_->backoff();
        cv_.wait_until(lock, until, [&] { return stop_.load(); });
        claiming_ = false;
        claim_worthwhile_ = true;
        continue;
      }
      claiming_ = false;
      lock.unlock();
      set_fatal(e);
      lock.lock();
      continue;
    }
    claiming_ = false;
    if (outage_ != nullptr) outage_->ended();
    if (!claimed->empty()) {
      {
        std::lock_guard held_lock(held_mutex_);
        for (const auto& r : *claimed) held_.insert(r.id);
      }
      const size_t queued = claimed->size();
      if (queued >= settings_.claim_batch) claim_worthwhile_ = true;  // a full batch: there may be more
      for (auto& r : *claimed) queue_.push_back(std::move(r));
      wake_for_claimed_locked(queued);
      continue;
    }
    if (claim_worthwhile_) continue;  // new work was announced during the claim
    if (busy_ == 0) {  // nothing to claim and nobody who could make more
      if (on_idle_) {
        claiming_ = true;  // the others wait while this thread decides
        lock.unlock();
        const Idle idle = on_idle_();
        lock.lock();
        claiming_ = false;
        if (idle == Idle::claim_again) continue;  // nobody is busy: this thread claims
      }
      done_ = true;
      cv_.notify_all();
      return std::nullopt;
    }
    // Busy workers may yet put work back in line: wait for them (above).
  }
}

void ClaimDispatcher::finished() {
  std::lock_guard lock(mutex_);
  --busy_;
  // After a claim that found nothing, this worker may have put work back:
  // one waiter claims again (or, if nobody is busy now, asks on_idle).
  if (claim_worthwhile_) return;
  claim_worthwhile_ = true;
  if (!claiming_ && waiting_ > 0) cv_.notify_one();
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

size_t ClaimDispatcher::held() const {
  std::lock_guard lock(held_mutex_);
  return held_.size();
}

void ClaimDispatcher::renew_leases() {
  const auto now = settings_.clock->steady_now();
  std::vector<ledger::ObjectId> ids;
  {
    std::lock_guard lock(held_mutex_);
    ids.assign(held_.begin(), held_.end());
    if (ids.empty()) {
      leases_good_at_ = now;  // nothing held: nothing to lose
      return;
    }
  }
  auto lost = ledger_.renew(ids, settings_.owner, settings_.lease);
  if (!lost) {
    // Tried again at the next renewal; an outage is logged (once) by it.
    if (outage_ != nullptr) (void)outage_->tolerate(lost.error());
    std::chrono::steady_clock::time_point good_at;
    {
      std::lock_guard lock(held_mutex_);
      good_at = leases_good_at_;
    }
    if (now - good_at >= settings_.lease) {
      // A whole lease without a renewal: the leases have run out, and other
      // workers may be moving these objects now.
      if (const size_t dropped = drop_queued(nullptr); dropped > 0)
        events_.emit("claims_dropped", {{"objects", dropped},
                                        {"reason", "leases_expired"},
                                        {"error", lost.error().message}});
    }
    return;
  }
  {
    std::lock_guard lock(held_mutex_);
    leases_good_at_ = now;
  }
  if (outage_ != nullptr) outage_->ended();
  if (lost->empty()) return;
  events_.emit("leases_lost", {{"objects", lost->size()}});
  const std::set<ledger::ObjectId> gone(lost->begin(), lost->end());
  if (const size_t dropped = drop_queued(&gone); dropped > 0)
    events_.emit("claims_dropped", {{"objects", dropped}, {"reason", "leases_lost"}});
}

size_t ClaimDispatcher::drop_queued(const std::set<ledger::ObjectId>* only) {
  std::vector<ledger::ObjectId> dropped;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(queue_, [&](const ledger::ObjectRecord& r) {
      if (only != nullptr && !only->contains(r.id)) return false;
      dropped.push_back(r.id);
      return true;
    });
    if (!dropped.empty()) claim_worthwhile_ = true;  // the workers claim afresh
  }
  std::lock_guard lock(held_mutex_);
  for (const auto id : dropped) held_.erase(id);
  return dropped.size();
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
