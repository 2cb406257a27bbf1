// GroupCommit: commits a run's queued ledger work in groups and acts on
// what each commit made durable.
//
// Workers queue transitions on the Ledger (ledger.queue, cheap) and ask
// for an action once the transition is durable: when_durable(id, action)
// (e.g. emit "object_verified", delete the staged file). commit() flushes
// the ledger and runs, in order, the actions of every transition the flush
// committed; an action whose transition the flush rejected is dropped (the
// log never says "verified" for something that did not happen, and a file
// is never deleted on the strength of a rejected transition). Rejections
// are logged as `transition_rejected` events.
//
// One GroupCommit per process and ledger: every part of a run that queues
// on the ledger must commit through the same instance, because a flush
// reports the rejections of everything it committed, whoever queued it.
//
// The flusher thread (start()/stop()) commits every `interval` while work
// is queued; a failed commit is handed to `on_error` (the run's fatal
// error) and its operations stay queued for the next commit. With a
// LedgerOutage, a failure it tolerates is not an error: the flusher pauses
// for the outage's backoff and commits again.
//
// Thread safety: every method from any thread; commits are serialised so
// actions run in commit order. Actions run on the committing thread and
// must not call commit().
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/transition_queue.h"
#include "log/event_log.h"
#include "transfer/latency_tally.h"
#include "transfer/ledger_outage.h"

namespace s5j::transfer {

class GroupCommit {
 public:
  GroupCommit(ledger::TransitionQueue& ledger, log::EventLog& events) : ledger_(ledger), events_(events) {}
  ~GroupCommit() { stop(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `action` after the commit that makes the object's transition,
  // queued before this call, durable.
  void when_durable(ledger::ObjectId id, std::function<void()> action);
  // Emits `event` once the object's queued transition is committed.
  void emit_when_durable(ledger::ObjectId id, std::string event, nlohmann::json fields);

  // Flushes the ledger and then runs the actions the flush made true.
  Result<ledger::FlushReport> commit();

  // Each flush's duration goes to `times` from now on (before start()).
  void time_flushes_into(LatencyTally* times) { flush_times_ = times; }

  // Background flusher; stop() is idempotent and joins.
  void start(std::chrono::milliseconds interval, std::function<void(const Error&)> on_error,
             LedgerOutage* outage = nullptr);
  void stop();

 private:
  void flusher(std::chrono::milliseconds interval);

  ledger::TransitionQueue& ledger_;
  log::EventLog& events_;

  std::mutex commit_mutex_;  // one commit at a time, so actions keep their order
  std::mutex awaiting_mutex_;
  std::vector<std::pair<ledger::ObjectId, std::function<void()>>> awaiting_;  // guarded by awaiting_mutex_

  std::mutex thread_mutex_;
  std::condition_variable thread_cv_;
  bool stopping_ = false;  // guarded by thread_mutex_
  std::function<void(const Error&)> on_error_;
  LedgerOutage* outage_ = nullptr;
  LatencyTally* flush_times_ = nullptr;
  std::thread thread_;
};

}  // namespace s5j::transfer
