#include "transfer/run_driver.h"

#include "transfer/run_figures.h"

namespace s5j::transfer {
namespace {

// The run history's exit statuses, as cli/exit_codes.h numbers them
// (transfer cannot see cli): kFailed and kIncomplete.
constexpr int kErrorExitStatus = 1;
constexpr int kIncompleteExitStatus = 12;

// How often a leg with nothing to claim looks again while the plan beside
// it runs (it is woken at once as the plan commits records).
constexpr std::chrono::milliseconds kPlanningPoll{1000};

}  // namespace

RunDriver::RunDriver(JobRunSettings run_settings, DriverSettings settings, RunSpec& spec, ledger::Ledger& ledger,
                     log::EventLog& events, const Clock& clock)
    : settings_(settings),
      spec_(spec),
      ledger_(ledger),
      events_(events),
      clock_(clock),
      run_(std::move(run_settings), ledger, events, clock),
      outage_(settings.ledger_unavailable_limit, events, clock),
      transitions_(ledger, outage_, clock),
      committer_(ledger, events),
      context_{ledger, transitions_, events, clock, run_, committer_, tally_} {
  committer_.time_flushes_into(&tally_.ledger_commits);
}

void RunDriver::request_stop() {
  if (stop_requested_.exchange(true)) return;
  events_.emit("stop_requested");
  run_.set_activity("stopping");
  spec_.stopping();
  std::lock_guard lock(slots_mutex_);
  for (auto& slot : slots_) slot.dispatcher->request_stop();
}

Result<RunEnd> RunDriver::run() {
  const auto started = clock_.steady_now();
  auto elapsed = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - started); };
  if (auto b = run_.begin(); !b) return std::unexpected(b.error());
  // A stop before the lock was held could not be published then.
  if (stop_requested_) run_.set_activity("stopping");
  auto fail = [&](const Error& e) -> Result<RunEnd> {
    run_.finish("error", kErrorExitStatus);
    return std::unexpected(e);
  };
  events_.emit("run_started", spec_.started_fields());
  if (auto r = recover_job(ledger_, run_.job(), spec_.recovery(), events_); !r) return fail(r.error());
  if (auto p = spec_.prepare(); !p) return fail(p.error());
  const bool beside = spec_.plans_beside_legs() && !spec_.dry_run();
  if (!beside) {
    auto plan = spec_.plan();
    if (!plan) return fail(plan.error());
    events_.emit("plan_done", std::move(*plan));
    if (spec_.dry_run()) {
      run_.finish("dry-run", 0);
      return RunEnd{false, elapsed()};
    }
  }

  planning_ = beside;
  create_legs();
  committer_.start(
      settings_.flush_interval, [this](const Error& e) {
        for (auto& slot : slots_) slot.dispatcher->set_fatal(e);
      },
      &outage_);
  publish_figures();
  run_.start_renewer(
      std::max(std::chrono::milliseconds(1000), settings_.lease / 3),
      [this] {
        for (auto& slot : slots_) slot.dispatcher->renew_leases();
      },
      std::min(kFiguresPeriod, std::max(std::chrono::milliseconds(1000), settings_.lease / 3)),
      [this] { publish_figures(); });
  std::thread planning;
  if (beside) {
    planning = start_planning();
  } else {
    spec_.legs_starting();
  }
  run_legs();
  if (planning.joinable()) planning.join();
  committer_.stop();
  run_.stop_renewer();

  // Claimed but never started (stopping): hand them back.
  std::optional<Error> fatal;
  bool stopping = false;
  for (auto& slot : slots_) {
    slot.dispatcher->release_unstarted();
    if (!fatal) fatal = slot.dispatcher->fatal();
    stopping = stopping || slot.dispatcher->stopping();
  }
  auto flushed = committer_.commit();
  while (!flushed && outage_.tolerate(flushed.error())) {
    clock_.sleep_for(outage_.backoff());
    flushed = committer_.commit();
  }

  const RunEnd end{stopping && !fatal, elapsed()};
  RunSummary summary = spec_.summarize(end);
  events_.emit("run_summary", std::move(summary.fields));
  events_.flush();
  if (fatal) return fail(*fatal);
  if (!flushed) return fail(flushed.error());
  run_.finish(end.stopped        ? "stopped"
              : summary.complete ? "complete"
                                 : "incomplete",
              summary.complete || end.stopped ? 0 : kIncompleteExitStatus);
  return end;
}

std::thread RunDriver::start_planning() {
  return std::thread([this] {
    auto plan = spec_.plan();
    // A ledger out of reach for a while (LedgerOutage) ends the listing
    // with its cursors kept: plan again once it answers, resuming there.
    bool riding_out = false;
    while (!plan && (riding_out = outage_.tolerate(plan.error())) && !stop_requested_) {
      clock_.sleep_for(outage_.backoff());
      if (stop_requested_) break;
      plan = spec_.plan();
    }
    planning_ = false;
    if (!plan) {
      // Stopping during an outage: the next run resumes the listing.
      if (riding_out && stop_requested_) return;
      // The run fails with the plan's error, as a leg's fatal error fails it.
      for (auto& slot : slots_) slot.dispatcher->set_fatal(plan.error());
      return;
    }
    outage_.ended();
    events_.emit("plan_done", std::move(*plan));
    spec_.legs_starting();
    open_claims(true);
    wake_legs();  // the idle ones may be done now
  });
}

void RunDriver::open_claims(bool open) {
  for (auto& slot : slots_) slot.dispatcher->hold_claims(!open);
}

void RunDriver::wake_legs() {
  for (auto& slot : slots_) slot.dispatcher->wake();
}

void RunDriver::publish_figures() {
  RunFigures figures;
  for (auto& slot : slots_) {
    figures.leases_held += slot.dispatcher->held();
    figures.legs.push_back(slot.leg->pace().snapshot());
  }
  figures.endpoints = spec_.endpoint_figures();
  run_.set_figures(encode_run_figures(figures));
}

void RunDriver::create_legs() {
  auto legs = spec_.make_legs(context_);
  std::lock_guard lock(slots_mutex_);
  for (auto& leg : legs) {
    const LegTraits& t = leg->traits();
    DispatcherSettings ds;
    ds.job = run_.job();
    ds.owner = run_.owner();
    ds.from = {t.claims};
    ds.staged_host = t.staged_host;
    // Several workers of one job claim from the same records: a batch
    // beyond what this one's workers can start soon would starve the
    // others (a host whose listing commits first would claim them all).
    const int batch = ledger_.cooperative() ? t.workers * 2 : std::max(32, t.workers * 2);
    ds.claim_batch = static_cast<size_t>(std::max(1, batch));
    ds.lease = settings_.lease;
    ds.clock = &clock_;
    slots_.push_back({std::move(leg), std::make_unique<ClaimDispatcher>(ds, ledger_, committer_, events_), {}});
    slots_.back().dispatcher->set_outage(&outage_);
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    Leg& leg = *slots_[i].leg;
    ClaimDispatcher& d = *slots_[i].dispatcher;
    d.set_on_idle([this, &leg, &d] {
      // Not done while the plan beside the legs may commit more records.
      if (planning_) {
        // The plan's end (planning_ false, then wake_legs) is never missed.
        d.idle_wait_while([this] { return planning_.load(); }, kPlanningPoll);
        return ClaimDispatcher::Idle::claim_again;
      }
      return leg.on_idle();
    });
    d.set_on_stop([this, i, &leg] {
      leg.on_stop();
      if (planning_) spec_.stopping();  // the plan beside the legs stops too
      stop_others(i);  // one leg stopping (or failing) stops the run
    });
    if (planning_) d.hold_claims(true);
    leg.bind(d, [this, i] { wake_others(i); });
  }
  if (stop_requested_)
    for (auto& slot : slots_) slot.dispatcher->request_stop();
}

void RunDriver::run_legs() {
  for (auto& slot : slots_) {
    slot.leg->start();
    for (int i = 0; i < std::max(1, slot.leg->traits().workers); ++i)
      slot.workers.emplace_back([&slot] {
        while (auto record = slot.dispatcher->next()) {
          slot.leg->work_on(std::move(*record));
          slot.dispatcher->finished();
        }
      });
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    for (auto& w : slots_[i].workers) w.join();
    slots_[i].workers.clear();
    slots_[i].leg->finish();
    wake_others(i);  // they may be done now too
  }
}

// Called from a dispatcher's on_stop, possibly under slots_mutex_: slots_
// is complete by then and never changes again, so it is read unlocked.
void RunDriver::stop_others(size_t leg) {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (i != leg) slots_[i].dispatcher->request_stop();
}

void RunDriver::wake_others(size_t leg) {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (i != leg) slots_[i].dispatcher->wake();
}

}  // namespace s5j::transfer
