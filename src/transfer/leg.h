// Leg: one kind of work in a run — records resting in one ledger state are
// claimed, each object is moved one step, and where it ended is recorded.
// The direct sync is one leg (CopyLeg); the staged relay is two (StageLeg,
// DrainLeg), alone or together. A new kind of transfer is a new Leg; the
// run driver (RunDriver) runs every leg the same way.
//
// work_on(record), the same for every leg, for each claimed record:
//   1. a record resting in `claims` is moved to `working` (a new attempt);
//   2. `started_event` (key, size, attempt, and `leg` when named);
//   3. admit() (may wait; false: stopping), then transfer() (timed, and
//      counted in the leg's pace: LegPace);
//   4. the bytes moved are tallied, and the outcomes every leg shares are
//      recorded here: cancelled → handed back unchanged (the next run
//      resumes it); failed → `failed` (`object_failed`, failure list);
//      vanished → `vanished`; changed → the source is looked at again
//      (resolve_source_change: relisted as its new version, or vanished or
//      failed). Every other kind goes to the leg's settle().
// Events that say something became durable are emitted by the group commit
// once it is (emit_when_durable).
//
// Thread safety: work_on(), transfer() and settle() run on many worker
// threads at once; on_idle() on the claiming thread; on_stop() from any
// thread, possibly more than once (idempotent).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "ledger/ledger.h"
#include "s3/s3_client.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/leg_pace.h"
#include "transfer/object_outcome.h"
#include "transfer/run_context.h"

namespace s5j::transfer {

struct LegTraits {
  std::string name;             // the `leg` field of its events; empty: not named (the direct sync)
  ledger::ObjectState claims;   // records are claimed resting in this state
  ledger::ObjectState working;  // and moved to this one for an attempt
  std::string started_event;    // emitted as an attempt starts
  int workers = 16;             // objects in flight
  // Where an object that changed at the source is looked at again (legs
  // that read the source; null: a `changed` outcome is recorded failed).
  s3::S3Client* source = nullptr;
  std::string source_bucket;
  uint32_t max_source_changes = 5;
  // Set: claims take staged copies on this host only (ClaimRequest::
  // staged_host): the relay's upload leg on a cooperative ledger.
  std::optional<std::string> staged_host;
};

class Leg {
 public:
  Leg(RunContext& context, LegTraits traits)
      : ctx_(context), traits_(std::move(traits)), pace_(traits_.name.empty() ? "copy" : traits_.name, context.clock) {}
  virtual ~Leg() = default;
  Leg(const Leg&) = delete;
  Leg& operator=(const Leg&) = delete;

  const LegTraits& traits() const { return traits_; }
  // How fast this leg moves objects of each size (for the ETA; the run
  // publishes it every kFiguresPeriod).
  LegPace& pace() { return pace_; }

  // The driver's side: set before start(). `wake_others` makes the run's
  // other legs claim again (work for them may be claimable now).
  void bind(ClaimDispatcher& dispatcher, std::function<void()> wake_others);
  void work_on(ledger::ObjectRecord record);

  // Before the workers start / after they ended (e.g. a helper thread).
  virtual void start() {}
  virtual void finish() {}
  // The claim found nothing and nobody is busy: done, or claim again.
  virtual ClaimDispatcher::Idle on_idle() { return ClaimDispatcher::Idle::done; }
  // The leg stops (requested, a fatal error, or another leg stopping).
  virtual void on_stop() {}

 protected:
  // May the object start now (it may wait); false: stopping.
  virtual bool admit(const ledger::ObjectRecord&) { return true; }
  // Moves one object; the record is leased, in state `working`.
  virtual ObjectOutcome transfer(const ledger::ObjectRecord& record) = 0;
  // The kinds work_on() does not record itself (verified, staged, ...).
  virtual void settle(const ledger::ObjectRecord& record, const ObjectOutcome& out,
                      std::chrono::milliseconds elapsed) = 0;

  // Queues record → `to` with the outcome's update (and the end of its
  // completed upload), and lets go of the record's lease.
  void record_end(const ledger::ObjectRecord& record, ledger::ObjectState to, const ObjectOutcome& out);
  // → `failed`: tallied, in the failure list, `object_failed` once durable.
  void record_failed(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed);
  ClaimDispatcher& dispatcher() { return *dispatcher_; }
  // For on_idle(): on a cooperative ledger (several workers of the job, on
  // several hosts), while objects of the job are still in `states` — held by
  // other workers, whose leases may yet expire and put them back in line —
  // waits `poll` (or a wake-up) and claims again, so that the last workers
  // standing finish what a dead one left. Otherwise (or alone): done.
  ClaimDispatcher::Idle done_unless_others_hold(std::initializer_list<ledger::ObjectState> states,
                                                std::chrono::milliseconds poll = std::chrono::seconds(1));
  // For on_idle(): a ledger read that failed. A ledger out of reach for now
  // (is_ledger_outage) is waited out: a pause, then claim again; anything
  // else is the run's fatal error.
  ClaimDispatcher::Idle idle_failed(const Error& error);
  void wake_other_legs() {
    if (wake_others_) wake_others_();
  }

  RunContext& ctx_;

 private:
  void resolve_changed(const ledger::ObjectRecord& record, const ObjectOutcome& out);
  // `fields` with the leg's name, when it has one.
  nlohmann::json named(nlohmann::json fields) const;

  const LegTraits traits_;
  LegPace pace_;
  ClaimDispatcher* dispatcher_ = nullptr;
  std::function<void()> wake_others_;
};

}  // namespace s5j::transfer
