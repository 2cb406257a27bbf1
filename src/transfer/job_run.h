// JobRun: one run of a job as the ledger sees it — the job record, the
// job's lock (whole job, or per role: stage / drain), the run record, and
// the background renewal that keeps the lock and the run's leases alive.
//
//   begin()    opens (or creates) the job with its mode, takes the lock and
//              begins a run record. A lock held by a process on this host
//              that no longer exists is broken (`stale_lock_broken`); a
//              live holder fails with AlreadyRunning naming its pid and host.
//              On a cooperative ledger (Ledger::cooperative(): PostgreSQL)
//              the lock is shared: runs of the job on any host work side by
//              side, and only an exclusive lock (`reset`) excludes them.
//   start_renewer(period, renew)  a thread that calls `renew` (the
//              dispatchers' renew_leases) and renews the lock every period.
//   finish(outcome, exit_code)   flushes the ledger, ends the run record
//              and releases the lock. Idempotent; the destructor calls it
//              with "error" if the caller did not.
//   set_activity(...)  publishes what the run does now on its lock rows
//              (Ledger::set_run_activity) for `s5j status` in another
//              process; a ledger write only when it differs from the last
//              one published ("starting" is published by begin()).
//
// Thread safety: begin()/finish() from the thread that owns the run;
// renew_lock() and set_activity() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"

namespace s5j::transfer {

struct JobRunSettings {
  std::string job = "default";
  ledger::JobMode mode = ledger::JobMode::direct;
  std::string command = "sync";     // for the run history
  std::vector<std::string> roles;   // lock roles; empty: the whole job
  std::chrono::milliseconds lock_ttl{std::chrono::minutes(2)};
  // On a cooperative ledger, where the lock is a worker's registration: a
  // dead worker drops out of `status` once this passes (the leases' time).
  std::chrono::milliseconds shared_lock_ttl{std::chrono::seconds(30)};
  std::string version = "0.1.0";
};

// This machine's host name (S5J_HOST_NAME when set and not empty, else
// gethostname), and whether a pid is alive here.
std::string local_host_name();
bool local_process_alive(int64_t pid);

class JobRun {
 public:
  JobRun(JobRunSettings settings, ledger::Ledger& ledger, log::EventLog& events,
         const Clock& clock = SystemClock::instance());
  ~JobRun();
  JobRun(const JobRun&) = delete;
  JobRun& operator=(const JobRun&) = delete;

  // Errors: LedgerConflict (the job exists with another mode), AlreadyRunning,
  // ledger errors.
  Status begin();
  void finish(const std::string& outcome, int exit_code);

  ledger::JobId job() const { return job_; }
  const std::string& owner() const { return owner_; }
  const std::string& host() const { return host_; }
  const JobRunSettings& settings() const { return settings_; }

  // Names: see ledger::RunActivity. `since` becomes now when the name or a
  // detail changed. A failed write is retried by the next call (status is a
  // view; the run does not stop over it). Once "stopping" is published it
  // stays.
  void set_activity(const std::string& name, std::optional<uint64_t> wanted_bytes = std::nullopt,
                    std::optional<ledger::TimePoint> next_scan_at = std::nullopt);
  void set_activity(ledger::RunActivity activity);  // `since` is set here

  // Publishes `figures` (RunFigures, encoded) on the run's lock rows
  // (Ledger::set_run_figures) for `status` and the ETA elsewhere; a
  // failure is logged once (`figures_not_published`) and otherwise ignored:
  // the figures are for watching, the run goes on without them.
  void set_figures(const std::string& figures);
  Result<ledger::LockOutcome> renew_lock();
  // `publish` (may be null) runs on the same thread every `publish_period`
  // (the run's figures: fresher than the lease renewals need to be).
  void start_renewer(std::chrono::milliseconds period, std::function<void()> renew,
                     std::chrono::milliseconds publish_period = std::chrono::milliseconds::max(),
                     std::function<void()> publish = {});
  void stop_renewer();

 private:
  Status acquire_lock();

  const JobRunSettings settings_;
  ledger::Ledger& ledger_;
  const Clock& clock_;
  log::EventLog& events_;
  std::string host_;
  std::string owner_;
  ledger::JobId job_;
  std::optional<ledger::RunId> run_;
  bool locked_ = false;
  bool finished_ = false;

  std::mutex activity_mutex_;                      // also orders the writes
  std::optional<ledger::RunActivity> activity_;   // guarded by activity_mutex_: last published

  bool figures_failed_ = false;                   // guarded by activity_mutex_
  std::mutex renewer_mutex_;
  std::condition_variable renewer_cv_;
  bool renewer_stop_ = false;  // guarded by renewer_mutex_
  std::thread renewer_;
};

// An S3Client observer that logs each request about to be retried as
// `request_retried` (side, op, endpoint, key, attempt, status, code,
// duration_ms), so the event log accounts for every retry of a run.
s3::RequestObserver log_retries(log::EventLog& events, const char* side);

}  // namespace s5j::transfer
