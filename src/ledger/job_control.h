// JobControl: the ledger's part for jobs, their run history and the
// single-instance job lock (whole job or per role). One of the four parts
// of ledger::Ledger; the durability, concurrency and failure rules of
// ledger/ledger.h hold for every method here.
//
// A backend implements the pure virtual methods; job_lock_holder() and
// break_every_job_lock() are written once here in terms of them.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"

namespace s5j::ledger {

inline constexpr size_t kMaxRunFigures = 16 * 1024;

class JobControl {
 public:
  virtual ~JobControl() = default;

  // ---- Jobs ----
  // Returns the job called `name`, creating it with `mode` if missing.
  // LedgerConflict when it exists with another mode.
  virtual Result<JobRecord> open_job(std::string_view name, JobMode mode) = 0;
  virtual Result<std::optional<JobRecord>> find_job(std::string_view name) = 0;
  // Forgets every object and part record of the job, and its listings in
  // progress (a listing resumed after a reset would skip what its cursors
  // passed); runs are kept. Active
  // multipart uploads become `abandoned` and stay listed by open_uploads() so
  // they can still be aborted. Queued writes for the job are flushed first.
  virtual Status reset_job(JobId job) = 0;

  // ---- Runs ----
  virtual Result<RunId> begin_run(JobId job, const RunStart& start) = 0;
  // LedgerNotFound for an unknown run.
  virtual Status end_run(RunId run, std::string_view outcome, int exit_code) = 0;
  // Newest first.
  virtual Result<std::vector<RunRecord>> runs(JobId job, size_t limit) = 0;

  // ---- The single-instance lock ----
  // Takes the job's lock (the whole job, or request.roles; see LockRequest)
  // if nothing conflicting is held, or only expired or our own locks (ours
  // are renewed for request.ttl). When someone else holds a conflicting
  // lock, returns acquired=false and that holder (owner, pid, host, role)
  // for an "already running as pid N" message.
  virtual Result<LockOutcome> acquire_job_lock(JobId job, const LockRequest& request) = 0;
  // Releases every lock (all roles) `owner` holds on the job; no-op otherwise.
  virtual Status release_job_lock(JobId job, std::string_view owner) = 0;
  // Every lock of the job, one entry per role held, each with the activity
  // its holder last published, ordered by role bytewise: the whole-job lock
  // (role "") therefore comes first.
  virtual Result<std::vector<LockHolder>> job_lock_holders(JobId job) = 0;
  // Records what `owner` is doing now on every lock it holds on the job
  // (replacing what it published before); returns false (nothing written)
  // when it holds none. Renewing the lock keeps the activity. Meant to be
  // called when the activity changes, not per object. Durable on return.
  virtual Result<bool> set_run_activity(JobId job, std::string_view owner, const RunActivity& activity) = 0;
  // Stores `figures` (opaque text, at most kMaxRunFigures bytes: what the
  // run measured of itself, encoded by the transfer layer) on every lock
  // `owner` holds on the job, replacing what it published before; returns
  // false (nothing written) when it holds none, and refuses a longer text
  // (kLedgerIllegalTransition). Meant for every heartbeat; renewing the
  // lock keeps the figures. Durable on return.
  virtual Result<bool> set_run_figures(JobId job, std::string_view owner, std::string_view figures) = 0;
  // Removes the locks `owner` holds (a dead holder found by acquire), and
  // leaves other holders' locks alone.
  virtual Status break_job_lock(JobId job, std::string_view owner) = 0;

  // ---- Written once for every backend ----
  // A holder of a lock of the job, the whole-job lock first (the first of
  // job_lock_holders()), if any.
  Result<std::optional<LockHolder>> job_lock_holder(JobId job);
  // Removes the locks of every holder the job has now (after the caller
  // established they are dead, e.g. their pids no longer exist): reads the
  // holders, then breaks each one's locks by owner. Not one atomic step,
  // and it need not be: a lock taken between the two by a new, live run is
  // one the caller never judged, so leaving it alone is the right outcome.
  Status break_every_job_lock(JobId job);
};

}  // namespace s5j::ledger
