// RunDriver: the one sequence every transfer run goes through — `sync`
// (one CopyLeg), `stage`, `drain` (one leg each) and `relay` (both).
//
//   1. JobRun::begin: the job's lock (whole job, or per role), run record;
//      `run_started` with the spec's fields;
//   2. recover_job with the spec's options (stale leases, failed objects
//      requeued, abandoned uploads aborted);
//   3. spec.prepare() (the relay opens and cleans its staging volumes),
//      spec.plan() (source listing → ledger), `plan_done`; a dry run ends
//      here. A spec that plans beside its legs (plans_beside_legs: copy
//      while listing) has plan() run on a thread of its own while the legs
//      work: the legs start with their claims held until plan() lets them
//      go (open_claims), are woken by it as it commits records
//      (wake_legs), and are not done while it runs; its failure is the
//      run's (a ledger outage the run rides out makes it plan again once
//      the ledger answers: the listing resumes from its cursors), and a
//      leg's failure or a stop stops it (spec.stopping());
//   4. the spec's legs, a ClaimDispatcher for each: their workers run
//      Leg::work_on on every claimed record; one GroupCommit flusher for
//      every leg, a renewer for the leases and the lock (whose thread also
//      publishes the run's figures every kFiguresPeriod: RunFigures); one
//      leg stopping (or failing) stops the others; a leg whose workers ended wakes the
//      others (they may be done now too);
//   5. claimed but never started records released, a last commit;
//      `run_summary` with the spec's fields; the run record closed with its
//      outcome and exit status: error (1) on a fatal error; stopped (0);
//      complete (0); incomplete (12: objects failed or are left).
//
// Stopping: request_stop() (SIGTERM/SIGINT, any thread, any time): every
// leg stops claiming; work in flight finishes or is checkpointed; "stopping"
// is published for `status`.
//
// Thread safety: run() once, from one thread; request_stop() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "transfer/claim_dispatcher.h"
#include "transfer/group_commit.h"
#include "transfer/ledger_outage.h"
#include "transfer/outage_riding_queue.h"
#include "transfer/job_recovery.h"
#include "transfer/job_run.h"
#include "transfer/leg.h"
#include "transfer/run_context.h"
#include "transfer/run_figures.h"

namespace s5j::transfer {

// How often a run publishes its figures (RunFigures: its pace, for the ETA
// and `status`); at most as seldom as it renews its lock.
inline constexpr std::chrono::milliseconds kFiguresPeriod{5000};

struct RunEnd {
  bool stopped = false;  // request_stop() ended the run early
  std::chrono::milliseconds duration{0};
};

struct RunSummary {
  nlohmann::json fields;  // of `run_summary`
  bool complete = false;  // nothing failed and nothing left: exit status 0
};

// What one kind of run brings to the driver's sequence. Called on the
// thread of RunDriver::run(), except stopping().
class RunSpec {
 public:
  virtual ~RunSpec() = default;
  virtual nlohmann::json started_fields() const = 0;
  virtual RecoveryOptions recovery() const = 0;
  virtual Status prepare() { return {}; }
  // Plans the run (publishing "listing" if it lists); plan_done's fields.
  virtual Result<nlohmann::json> plan() = 0;
  // plan() runs beside the legs (see RunDriver, step 3), except in a dry run.
  virtual bool plans_beside_legs() const { return false; }
  virtual bool dry_run() const { return false; }
  virtual std::vector<std::unique_ptr<Leg>> make_legs(RunContext& context) = 0;
  virtual void legs_starting() {}
  // A stop was requested (any thread; "stopping" is published already).
  virtual void stopping() {}
  virtual RunSummary summarize(const RunEnd& end) = 0;
  // Each endpoint of the run's sides, published with its figures (any
  // thread, every kFiguresPeriod).
  virtual std::vector<EndpointFigures> endpoint_figures() const { return {}; }
};

struct DriverSettings {
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
  std::chrono::milliseconds flush_interval{100};
  // How long the legs wait out a ledger out of reach (LedgerOutage).
  std::chrono::milliseconds ledger_unavailable_limit{std::chrono::minutes(30)};
};

class RunDriver {
 public:
  // `spec` must outlive the driver.
  RunDriver(JobRunSettings run_settings, DriverSettings settings, RunSpec& spec, ledger::Ledger& ledger,
            log::EventLog& events, const Clock& clock);
  RunDriver(const RunDriver&) = delete;
  RunDriver& operator=(const RunDriver&) = delete;

  // Errors: those of begin (AlreadyRunning, LedgerConflict, ledger),
  // recovery, prepare and plan, and a fatal error of the legs.
  Result<RunEnd> run();
  void request_stop();
  // For a plan beside the legs (any thread): lets the legs claim, or holds
  // their claims again; wakes legs waiting for records.
  void open_claims(bool open);
  void wake_legs();

  JobRun& job_run() { return run_; }
  const JobRun& job_run() const { return run_; }
  RunTally& tally() { return tally_; }
  const RunTally& tally() const { return tally_; }

 private:
  struct Slot {
    std::unique_ptr<Leg> leg;
    std::unique_ptr<ClaimDispatcher> dispatcher;
    std::vector<std::thread> workers;
  };
  void create_legs();
  // The legs' pace and the leases held, on the run's lock rows (RunFigures):
  // as the legs start, then every kFiguresPeriod.
  void publish_figures();
  void run_legs();
  // Runs spec.plan() on its own thread beside the legs (step 3).
  std::thread start_planning();
  void stop_others(size_t leg);
  void wake_others(size_t leg);

  const DriverSettings settings_;
  RunSpec& spec_;
  ledger::Ledger& ledger_;
  log::EventLog& events_;
  const Clock& clock_;
  JobRun run_;
  LedgerOutage outage_;
  OutageRidingQueue transitions_;  // the ledger as the legs' transfers use it
  GroupCommit committer_;
  RunTally tally_;
  RunContext context_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> planning_{false};  // a plan beside the legs is running
  std::mutex slots_mutex_;   // request_stop() may come from a signal thread at any time
  std::vector<Slot> slots_;  // set once, under slots_mutex_, before any worker starts
};

}  // namespace s5j::transfer
