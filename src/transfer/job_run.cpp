#include "transfer/job_run.h"

#include <cstdlib>
#include "ledger/ledger_error.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace s5j::transfer {

std::string local_host_name() {
  // Machines that share a host name (clones of one image, containers on
  // one network namespace) must be told apart in a shared ledger: their
  // staged files and their dead processes are theirs alone.
  if (const char* named = std::getenv("S5J_HOST_NAME"); named != nullptr && *named != '\0') return named;
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

bool local_process_alive(int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

JobRun::JobRun(JobRunSettings settings, ledger::Ledger& ledger, log::EventLog& events, const Clock& clock)
    : settings_(std::move(settings)), ledger_(ledger), clock_(clock), events_(events) {
  host_ = local_host_name();
  owner_ = host_ + ":" + std::to_string(::getpid()) + ":" +
           std::to_string(
               std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count());
}

JobRun::~JobRun() {
  stop_renewer();
  if (locked_ && !finished_) finish("error", 1);
}

Status JobRun::begin() {
  auto job = ledger_.open_job(settings_.job, settings_.mode);
  if (!job) return std::unexpected(job.error());
  job_ = job->id;
  if (auto l = acquire_lock(); !l) return l;
  {
    std::lock_guard lock(activity_mutex_);  // set_activity() may come from a signal thread
    locked_ = true;
  }
  auto run = ledger_.begin_run(job_, {::getpid(), host_, settings_.command, settings_.version});
  if (!run) {
    (void)ledger_.release_job_lock(job_, owner_);
    std::lock_guard lock(activity_mutex_);
    locked_ = false;
    return std::unexpected(run.error());
  }
  run_ = *run;
  set_activity("starting");
  return {};
}

void JobRun::set_activity(const std::string& name, std::optional<uint64_t> wanted_bytes,
                          std::optional<ledger::TimePoint> next_scan_at) {
  ledger::RunActivity a;
  a.name = name;
  a.wanted_bytes = wanted_bytes;
  a.next_scan_at = next_scan_at;
  set_activity(std::move(a));
}

void JobRun::set_activity(ledger::RunActivity a) {
  std::lock_guard lock(activity_mutex_);
  if (!locked_ || finished_) return;
  // Stopping is final: a leg or phase reporting late must not hide it.
  if (activity_ && activity_->name == "stopping") return;
  if (activity_) {
    a.since = activity_->since;  // `since` is not part of what changed
    if (*activity_ == a) return;
  }
  a.since = clock_.now();
  auto r = ledger_.set_run_activity(job_, owner_, a);
  if (!r) {
    events_.emit("activity_not_published", {{"activity", a.name}, {"code", r.error().code}, {"error", r.error().message}});
    return;
  }
  activity_ = std::move(a);
}

void JobRun::set_figures(const std::string& figures) {
  std::lock_guard lock(activity_mutex_);
  if (!locked_ || finished_) return;
  auto r = ledger_.set_run_figures(job_, owner_, figures);
  if (r || figures_failed_) return;
  figures_failed_ = true;
  events_.emit("figures_not_published", {{"code", r.error().code}, {"error", r.error().message}});
}

Result<ledger::LockOutcome> JobRun::renew_lock() {
  // On a shared ledger the runs of a job cooperate: their locks are shared.
  const bool shared = ledger_.cooperative();
  const auto ttl = shared ? settings_.shared_lock_ttl : settings_.lock_ttl;
  return ledger_.acquire_job_lock(job_, {owner_, ::getpid(), host_, ttl, settings_.roles, shared});
}

Status JobRun::acquire_lock() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lock = renew_lock();
    if (!lock) return std::unexpected(lock.error());
    if (lock->acquired) return {};
    const auto& holder = lock->holder;
    // A holder on this host whose process is gone died without unlocking.
    if (attempt == 0 && holder.host == host_ && !local_process_alive(holder.pid)) {
      if (auto b = ledger_.break_job_lock(job_, holder.owner); !b) return b;
      events_.emit("stale_lock_broken", {{"pid", holder.pid}});
      continue;
    }
    const std::string what = holder.role.empty() ? "job '" + settings_.job + "' is already running"
                                                 : "job '" + settings_.job + "' already has a " + holder.role +
                                                       " run";
    return make_error(ErrorKind::fatal, ledger::kAlreadyRunning,
                      what + " as pid " + std::to_string(holder.pid) + " on " + holder.host +
                          ": wait for it to finish, or stop it (kill " + std::to_string(holder.pid) +
                          ") and start again");
  }
  return make_error(ErrorKind::fatal, ledger::kAlreadyRunning, "could not take the lock of job '" + settings_.job + "'");
}

void JobRun::finish(const std::string& outcome, int exit_code) {
  if (finished_ || !locked_) return;
  {
    std::lock_guard lock(activity_mutex_);  // no activity written after the lock is gone
    finished_ = true;
  }
  stop_renewer();
  (void)ledger_.flush();
  if (run_) (void)ledger_.end_run(*run_, outcome, exit_code);
  (void)ledger_.release_job_lock(job_, owner_);
}

void JobRun::start_renewer(std::chrono::milliseconds period, std::function<void()> renew,
                           std::chrono::milliseconds publish_period, std::function<void()> publish) {
  {
    std::lock_guard lock(renewer_mutex_);
    if (renewer_.joinable()) return;
    renewer_stop_ = false;
  }
  if (!publish) publish_period = period;
  renewer_ = std::thread([this, period, publish_period, renew = std::move(renew), publish = std::move(publish)] {
    using steady = std::chrono::steady_clock;
    auto next_renew = steady::now() + period, next_publish = steady::now() + publish_period;
    std::unique_lock lock(renewer_mutex_);
    while (!renewer_stop_) {
      renewer_cv_.wait_until(lock, std::min(next_renew, next_publish));
      if (renewer_stop_) break;
      lock.unlock();
      const auto now = steady::now();
      if (now >= next_renew) {
        if (renew) renew();
        (void)renew_lock();
        next_renew = now + period;
      }
      if (publish && now >= next_publish) {
        publish();
        next_publish = now + publish_period;
      }
      lock.lock();
    }
  });
}

void JobRun::stop_renewer() {
  {
    std::lock_guard lock(renewer_mutex_);
    if (!renewer_.joinable()) return;
    renewer_stop_ = true;
  }
  renewer_cv_.notify_all();
  renewer_.join();
}

s3::RequestObserver log_retries(log::EventLog& events, const char* side) {
  return [&events, side](const s3::RequestEvent& e) {
    if (!e.will_retry) return;
    events.emit("request_retried", {{"side", side},
                                    {"op", e.operation},
                                    {"endpoint", e.endpoint},
                                    {"key", e.key},
                                    {"attempt", e.attempt},
                                    {"status", e.http_status},
                                    {"code", e.error_code},
                                    {"duration_ms", e.duration.count()}});
  };
}

}  // namespace s5j::transfer
