// ClaimDispatcher: hands a run's workers the records they are to work on,
// claimed from the ledger in batches under a lease.
//
// Workers loop `while (auto r = d.next()) { work(*r); d.finished(); }`.
// next() returns a record leased to this run (resting in one of
// `settings.from`, or an active record of a dead worker, see
// Ledger::claim), claiming a new batch when the local queue is empty. Before
// each claim it commits what workers queued (GroupCommit), so the claim sees
// current states. One worker claims at a time; the others wait.
//
// When a claim finds nothing: while other workers are busy (they may put
// work back), next() waits for them or for wake(); when nobody is busy it
// asks `on_idle` (called on the claiming thread, no lock held) whether the
// run is done or should claim again (the relay's continuous mode scans the
// source there, or waits for the stage leg). Without on_idle it is done.
//
// Wake-ups are counted out: an event that may make a claim worthwhile
// (wake(), a worker finishing after a claim found nothing) wakes one waiting
// worker to claim, and a claim wakes one waiter per record it queued (plus
// one to claim again if more may be claimable). Waking every waiter instead
// cost the relay's drain ~160 futex calls per object: its 64 workers mostly
// wait for the stage leg, which wakes them once per staged object.
//
// Held claims (hold_claims(true)): no claim is made until they are let go,
// so records claimable now are not claimed yet (a plan beside the legs
// holds them while what it leaves pending is not all to be moved). Records
// claimed before are still handed out.
//
// Stopping: request_stop() or set_fatal() make next() return nullopt to
// every worker (the first fatal error is kept); `on_stop` runs once, first
// (e.g. to cancel the memory budget so in-flight work drains; it may run
// more than once and must be idempotent). Claimed records never handed out
// are given back by release_unstarted().
//
// A ledger out of reach (LedgerOutage, when set): a commit or claim that
// fails with an outage the run tolerates pauses the claiming thread for the
// outage's backoff (the other workers keep waiting) and claims again.
//
// Leases: claimed records are "held" until the worker lets go (unhold, or
// hand_back which also releases the lease); renew_leases() extends the held
// leases and is called by the run's renewer (JobRun). A worker never starts
// an object whose lease it may have lost: records the renewal reports lost
// (another worker took them over), and every record still queued once the
// renewals have failed for a whole lease (the ledger out of reach: by now
// other workers may have them), are dropped from the queue unstarted
// (`claims_dropped`), and the workers claim afresh when the ledger answers.
// Objects already in a transfer run to their end; what they then record is
// refused if another worker claimed them meanwhile (the ledger's epochs).
//
// Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "transfer/group_commit.h"
#include "transfer/ledger_outage.h"

namespace s5j::transfer {

struct DispatcherSettings {
  ledger::JobId job;
  std::string owner;  // lease owner: this process's run
  std::vector<ledger::ObjectState> from{ledger::ObjectState::pending};
  size_t claim_batch = 32;
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
  const Clock* clock = &SystemClock::instance();  // for the leases' age; not owned
  std::optional<std::string> staged_host;          // ClaimRequest::staged_host
};

class ClaimDispatcher {
 public:
  enum class Idle { done, claim_again };

  ClaimDispatcher(DispatcherSettings settings, ledger::Ledger& ledger, GroupCommit& committer, log::EventLog& events);
  ClaimDispatcher(const ClaimDispatcher&) = delete;
  ClaimDispatcher& operator=(const ClaimDispatcher&) = delete;

  // Set before the workers start.
  void set_on_idle(std::function<Idle()> on_idle) { on_idle_ = std::move(on_idle); }
  void set_on_stop(std::function<void()> on_stop) { on_stop_ = std::move(on_stop); }
  void set_outage(LedgerOutage* outage) { outage_ = outage; }

  // The next record to work on, or nullopt when the run is done or stopping.
  std::optional<ledger::ObjectRecord> next();
  // The worker is done with the record next() gave it.
  void finished();
  // Makes waiting workers claim again (new work may be claimable), and
  // ends an idle_wait().
  void wake();
  // For on_idle: waits up to `d`, or until wake() or a stop. False when
  // stopping.
  bool idle_wait(std::chrono::milliseconds d);
  // The same, returning at once when `waiting` (asked under the lock
  // wake() takes) is false: a wake() made after whatever `waiting` reads
  // was changed is never missed.
  bool idle_wait_while(const std::function<bool()>& waiting, std::chrono::milliseconds d);
  // Holds or lets go the claims (see above); letting go makes a waiting
  // worker claim.
  void hold_claims(bool hold);

  // Idempotent: on_stop runs at the first request (or at set_fatal).
  void request_stop();
  void set_fatal(Error e);
  bool stopping() const { return stop_.load(); }
  // Workers whose claim found nothing, waiting for a busy one to finish
  // (which may put work back). For tests.
  size_t waiting_on_busy() const;
  std::optional<Error> fatal() const;

  // Queues a transition; a failure to queue is fatal for the run.
  void queue_or_fail(ledger::Transition t);

  // Lease bookkeeping for renew_leases().
  void unhold(ledger::ObjectId id);
  // Gives the record back unchanged (stopping): lease released, not held.
  void hand_back(ledger::ObjectId id);
  // Extends the leases of held records; emits `leases_lost` for lost ones.
  void renew_leases();
  // Records claimed and not let go yet (handed out or queued).
  size_t held() const;
  // Records claimed but never handed to a worker: released (after the
  // workers ended).
  void release_unstarted();

 private:
  const DispatcherSettings settings_;
  ledger::Ledger& ledger_;
  GroupCommit& committer_;
  log::EventLog& events_;
  std::function<Idle()> on_idle_;
  std::function<void()> on_stop_;
  LedgerOutage* outage_ = nullptr;

  std::atomic<bool> stop_{false};

  // Wakes waiting workers after a claim: one per queued record they are to
  // take, plus one to claim again when `claim_worthwhile_`.
  void wake_for_claimed_locked(size_t queued);
  // Drops queued records (those in `only`, or all) unstarted: no longer held,
  // their leases left to expire. Returns how many.
  size_t drop_queued(const std::set<ledger::ObjectId>* only);

  mutable std::mutex mutex_;
  std::condition_variable cv_;       // workers in next()
  std::condition_variable idle_cv_;  // the thread in idle_wait()
  std::deque<ledger::ObjectRecord> queue_;  // guarded by mutex_
  size_t busy_ = 0;                         // guarded by mutex_
  bool claiming_ = false;                   // guarded by mutex_
  // A claim now could find what the last one did not: set by wake(), by a
  // worker finishing (it may have put work back) and by a full batch;
  // cleared when a claim starts. guarded by mutex_
  bool claim_worthwhile_ = true;
  size_t waiting_ = 0;          // guarded by mutex_: workers waiting in next()
  size_t waiting_on_busy_ = 0;  // guarded by mutex_: of those, the ones whose claim found nothing
  bool done_ = false;           // guarded by mutex_
  bool claims_held_ = false;    // guarded by mutex_
  uint64_t wakes_ = 0;          // guarded by mutex_
  std::optional<Error> fatal_;  // guarded by mutex_

  mutable std::mutex held_mutex_;
  std::set<ledger::ObjectId> held_;  // guarded by held_mutex_
  // When the held leases were last known good (renewed, or nothing held).
  std::chrono::steady_clock::time_point leases_good_at_;  // guarded by held_mutex_
};

}  // namespace s5j::transfer
