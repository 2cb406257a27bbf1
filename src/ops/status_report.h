// The figures of `s5j status` (cli/status_output.h prints them): where a
// job stands, read from its ledger and staging volumes; safe to run from
// another process while a run is going on (the SQLite ledger in WAL mode
// serves readers alongside the writer) and it writes nothing (no ledger is
// created, no staging directory touched).
//
// Figures (field names are documented in docs/operations.md, "s5j status"):
//   * objects and bytes per state (Ledger::totals), total and remaining;
//   * the active run (job lock held, lease live, pid alive on this host) or
//     the last one, from the runs table; for the active run, what it said it
//     is doing (its lock row's activity: transferring, waiting_for_space,
//     scanning, ...);
//   * throughput: bytes verified per second over the last minute and since
//     the current/last run started, from verified records' updated_at
//     (a scan of the verified records, done only while the job has at most
//     kMaxThroughputScan records, since the scan walks all of them; beyond
//     that `--watch` measures the last minute from successive totals, or
//     the live workers' published figures give it, and "since run start"
//     is unknown);
//   * every live worker of the job (a process holding one of its locks,
//     lease not expired: one on a single machine, several in a fleet):
//     host, pid, roles, last heartbeat, and what it published with it
//     (transfer/run_figures.h: objects and bytes per second, leases held,
//     workers busy);
//   * remaining objects and bytes by size class (Ledger::
//     totals_by_size_class);
//   * ETA (ops/eta.h): what is left in each size class at the pace the
//     live workers publish for it; when they publish none (an older s5j)
//     or nothing has moved yet, remaining bytes at the last minute's rate
//     (else the run's). `eta_basis` says which;
//   * per staging volume (staged jobs): filesystem size, free and usable
//     space (SpaceManager::usage), staged and partial files found by a scan;
//   * the most recent errors grouped by kind (the code before the first
//     ':' of last_error).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "ledger/records.h"
#include "ops/job_context.h"
#include "transfer/run_figures.h"

namespace s5j::ops {

inline constexpr uint64_t kMaxThroughputScan = 250'000;  // job records walked per refresh at most
inline constexpr size_t kStatusErrorWindow = 100;         // recent errors grouped

struct RunStatus {
  bool active = false;
  int64_t pid = 0;
  std::string host;
  std::string command;
  std::string role;  // lock role of the active run (e.g. "stage"); empty: the whole job
  std::optional<ledger::TimePoint> started_at;
  std::optional<ledger::TimePoint> ended_at;  // nullopt while active (or if the process died)
  std::string outcome;
  std::optional<int> exit_code;
  // What the active run published last (transferring, waiting_for_space,
  // scanning, ...; see ledger::RunActivity); nullopt when not active or
  // when its s5j publishes none.
  std::optional<ledger::RunActivity> activity;
  // Further live processes of the job (stage and drain side by side): each
  // with its pid, host, role and activity.
  std::vector<ledger::LockHolder> also_active;
};

// A live process of the job, as its lock rows say (several in a fleet).
struct WorkerStatus {
  std::string host;
  int64_t pid = 0;
  std::vector<std::string> roles;  // "" (the whole job), "stage", "drain"
  ledger::TimePoint last_heartbeat;
  ledger::TimePoint expires_at;
  std::optional<ledger::RunActivity> activity;
  std::optional<transfer::RunFigures> figures;  // nullopt: published none (yet)
};

struct SizeClassRemaining {
  std::string size_class;  // ledger::size_class_name
  uint64_t objects = 0, bytes = 0;
};

struct ThroughputStatus {
  std::optional<double> last_minute;      // bytes verified per second over the last 60 s
  std::optional<double> since_run_start;  // bytes verified per second since the run started
  std::string basis;  // "ledger" (verified records), "samples" (watch), "workers" (their figures), "none"
};

struct VolumeStatus {
  std::string path;
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t usable_bytes = 0;  // what the stager would grant now (free minus staging.reserve)
  uint64_t staged_files = 0;
  uint64_t staged_bytes = 0;
  uint64_t partial_files = 0;  // .part files: writes in progress or cut short
  uint64_t partial_bytes = 0;
  std::string error;  // why figures are missing; empty when fine
};

struct ErrorKindStatus {
  std::string kind;
  uint64_t count = 0;
  ledger::TimePoint latest_at;
  std::string latest_key;
  std::string latest_message;
};

struct StatusReport {
  std::string job;
  std::string ledger;
  bool job_exists = false;  // false: no runs yet (nothing else is filled)
  ledger::JobMode mode = ledger::JobMode::direct;
  ledger::TimePoint generated_at;
  std::vector<ledger::StateTotals> states;
  uint64_t total_objects = 0, total_bytes = 0;
  uint64_t remaining_objects = 0, remaining_bytes = 0;  // neither verified nor vanished
  std::optional<RunStatus> run;                         // nullopt: no run recorded
  ThroughputStatus throughput;
  std::vector<WorkerStatus> workers;                 // live processes, the active run's first
  std::vector<SizeClassRemaining> remaining_by_size;  // classes with objects left
  std::optional<double> eta_seconds;                 // only while a run is active and moving
  std::string eta_basis;                             // "size_classes", "recent_bytes"; empty: no ETA
  std::vector<std::string> eta_inferred_classes;     // size_classes: classes whose pace was inferred
  std::optional<std::vector<VolumeStatus>> staging;  // staged jobs only
  std::string staging_error;                         // why the volumes could not be listed
  std::vector<ErrorKindStatus> errors;               // most recent kind first
  size_t errors_examined = 0;
};

// Verified-bytes readings kept across `--watch` refreshes, for the
// last-minute rate when the ledger scan is too large.
struct VerifiedSamples {
  std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>> points;
};

// Reads everything; `samples` may be null (one-shot). Errors: the ledger's
// (the caller reports them as exit code 10). Staging problems are figures
// (VolumeStatus::error, staging_error), not failures.
Result<StatusReport> collect_status(const config::Config& config, JobContext& context, VerifiedSamples* samples);

// The kind of an error text: its code before the first ':' ("SlowDown:
// ..." -> "SlowDown"), else "other".
std::string error_kind(std::string_view error_text);

}  // namespace s5j::ops
