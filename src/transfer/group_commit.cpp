#include "transfer/group_commit.h"

#include <set>

namespace s5j::transfer {

void GroupCommit::when_durable(ledger::ObjectId id, std::function<void()> action) {
  std::lock_guard lock(awaiting_mutex_);
  awaiting_.emplace_back(id, std::move(action));
}

void GroupCommit::emit_when_durable(ledger::ObjectId id, std::string event, nlohmann::json fields) {
  when_durable(id, [this, event = std::move(event), fields = std::move(fields)]() mutable {
    events_.emit(event, std::move(fields));
  });
}

Result<ledger::FlushReport> GroupCommit::commit() {
  std::lock_guard commit_lock(commit_mutex_);
  // Everything taken here was queued before flush() is called, so this
  // flush commits it (or reports it rejected).
  decltype(awaiting_) ready;
  {
    std::lock_guard lock(awaiting_mutex_);
    ready.swap(awaiting_);
  }
  const auto began = std::chrono::steady_clock::now();
  auto flushed = ledger_.flush();
  if (flush_times_) flush_times_->record(std::chrono::steady_clock::now() - began);
  if (!flushed) {
    std::lock_guard lock(awaiting_mutex_);
    awaiting_.insert(awaiting_.begin(), std::make_move_iterator(ready.begin()), std::make_move_iterator(ready.end()));
    return flushed;
  }
  for (const auto& r : flushed->rejected)
    events_.emit("transition_rejected", {{"id", r.id.value},
                                         {"from", std::string(ledger::to_string(r.from))},
                                         {"to", std::string(ledger::to_string(r.to))},
                                         {"code", r.code},
                                         {"detail", r.detail}});
  std::set<ledger::ObjectId> rejected;
  for (const auto& r : flushed->rejected) rejected.insert(r.id);
  for (auto& [id, action] : ready)
    if (!rejected.count(id)) action();
  return flushed;
}

void GroupCommit::start(std::chrono::milliseconds interval, std::function<void(const Error&)> on_error,
                        LedgerOutage* outage) {
  std::lock_guard lock(thread_mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  on_error_ = std::move(on_error);
  outage_ = outage;
  thread_ = std::thread([this, interval] { flusher(interval); });
}

void GroupCommit::stop() {
  {
    std::lock_guard lock(thread_mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  thread_cv_.notify_all();
  thread_.join();
  std::lock_guard lock(thread_mutex_);
  thread_ = std::thread();
}

void GroupCommit::flusher(std::chrono::milliseconds interval) {
  std::unique_lock lock(thread_mutex_);
  std::chrono::milliseconds pause = interval;
  while (!stopping_) {
    thread_cv_.wait_for(lock, pause);
    if (stopping_) break;
    lock.unlock();
    pause = interval;
    if (ledger_.queued() > 0) {
      auto f = commit();
      if (!f && outage_ != nullptr && outage_->tolerate(f.error())) {
        pause = outage_->backoff();
      } else if (!f) {
        if (on_error_) on_error_(f.error());
      } else if (outage_ != nullptr) {
        outage_->ended();
      }
    }
    lock.lock();
  }
}

}  // namespace s5j::transfer
