#include "ops/job_context.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>

#include "base/clock.h"
#include "ledger/ledger_error.h"
#include "ledger/open_ledger.h"
#include "staging/staging_layout.h"
#include "staging/volume_discovery.h"

namespace s5j::ops {

namespace {

// The SQLite file behind a location ("sqlite:" stripped); empty for
// PostgreSQL.
std::string ledger_file(const config::Config& config) {
  if (!config.ledger.postgres_url.empty()) return {};
  const std::string& path = config.ledger.path;
  return path.starts_with("sqlite:") ? path.substr(7) : path;
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return !path.empty() && std::filesystem::exists(path, ec);
}

}  // namespace

Result<std::unique_ptr<ledger::Ledger>> open_job_ledger(const config::Config& config, bool create_if_missing) {
  const std::string file = ledger_file(config);
  const std::string& old_place = config.ledger.working_directory_path;
  if (!file.empty() && !file_exists(file) && file_exists(old_place)) {
    return make_error(ErrorKind::fatal, ledger::kLedgerError,
                      "the job's ledger is " + file + " (relative paths are now relative to the config file), but " +
                          old_place +
                          " exists where s5j 0.1 put it (relative to the working directory): move it (with its "
                          "-wal and -shm files) to " + file + ", or set ledger.path to " + old_place);
  }
  if (!file.empty() && create_if_missing) {
    // The job's state directory ($STATE_DIRECTORY/<job>, a `state/` beside
    // the config) may not exist before the first run; a failure shows as
    // the ledger's own "cannot open" error below.
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  }
  ledger::LedgerOptions options;
  options.location = file.empty() ? config.ledger.postgres_url : config.ledger.path;
  options.create_if_missing = create_if_missing;
  return ledger::open_ledger(options);
}

Result<JobContext> open_job_context(const config::Config& config, bool create_if_missing) {
  JobContext context;
  const std::string file = ledger_file(config);
  // Read-only commands must not leave an empty ledger behind where an
  // operator mistyped a path; a missing file simply means "no runs yet".
  if (!file.empty() && !create_if_missing && !file_exists(file) && !file_exists(config.ledger.working_directory_path))
    return context;
  auto ledger = open_job_ledger(config, create_if_missing);
  if (!ledger) return std::unexpected(ledger.error());
  context.ledger = std::move(*ledger);
  auto job = context.ledger->find_job(config.job);
  if (!job) return std::unexpected(job.error());
  context.job = *job;
  return context;
}

std::string this_host() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

bool process_alive(int64_t pid) {
  if (pid <= 0 || pid > INT_MAX) return false;
  if (::kill(static_cast<pid_t>(pid), 0) == 0) return true;
  return errno == EPERM;  // exists, but belongs to another user
}

bool holder_alive(const ledger::LockHolder& holder) {
  return holder.host != this_host() || process_alive(holder.pid);
}

Result<std::optional<ActiveRun>> find_active_run(ledger::JobControl& ledger, ledger::JobId job) {
  // Every holder is looked at: with per-role locks (stage, drain) a dead
  // holder of one role may sit next to a live one of another.
  auto holders = ledger.job_lock_holders(job);
  if (!holders) return std::unexpected(holders.error());
  // Leases are stamped with the ledger's clock; the CLI opens the ledger
  // with the system clock, so comparing with it is the same time base.
  const auto now = SystemClock::instance().now();
  const ledger::LockHolder* live = nullptr;
  std::vector<ledger::LockHolder> others;
  for (const auto& h : *holders) {
    if (h.expires_at <= now || !holder_alive(h)) continue;
    if (live == nullptr) {
      live = &h;
    } else if (h.owner != live->owner &&
               std::none_of(others.begin(), others.end(), [&](const auto& o) { return o.owner == h.owner; })) {
      others.push_back(h);  // a relay holds both roles under one owner: listed once
    }
  }
  if (live == nullptr) return std::optional<ActiveRun>();
  ActiveRun run{.holder = *live, .started_at = live->acquired_at, .command = {}, .other_processes = std::move(others),
                .holders = *holders};
  auto runs = ledger.runs(job, 20);
  if (!runs) return std::unexpected(runs.error());
  for (const auto& r : *runs) {
    if (r.start.pid == live->pid && r.start.host == live->host && !r.ended_at) {
      run.started_at = r.started_at;
      run.command = r.start.command;
      break;
    }
  }
  return std::optional<ActiveRun>(run);
}

staging::StagingOptions staging_options_for(const config::Config& config) {
  staging::StagingOptions o;
  o.volumes = config.staging.volumes;
  o.volume_pattern = config.staging.volume_pattern;
  o.reserve_bytes = config.staging.reserve_bytes;
  o.volume_limit_bytes = config.staging.volume_limit_bytes;
  o.job = config.job;
  return o;
}

std::vector<std::string> staging_volume_paths(const config::Config& config) {
  std::vector<std::string> out;
  if (config.staging.volumes.empty()) {
    for (auto& v : staging::discover_volumes(config.staging.volume_pattern))
      out.push_back(staging::normalize_volume_path(v));
  } else {
    for (const auto& v : config.staging.volumes) out.push_back(staging::normalize_volume_path(v));
  }
  return out;
}

}  // namespace s5j::ops
