// JobContext: a job's durable state found from its config, for the commands
// that operate a transfer (status, ledger export, reset) and the sync engine.
//
//   open_job_context()     the ledger at config.ledger.path and the job's
//                          record (config.job), if there is one yet
//   find_active_run()      whether a run of the job holds the job lock now,
//                          and who (pid, host, since when)
//   staging_options_for()  the Stager options from the config
//   staging_volume_paths() the job's staging volumes, without touching them
//
// Thread safety: free functions with no shared state; a JobContext is used
// from one thread at a time (the Ledger inside is thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "ledger/ledger.h"
#include "staging/stager.h"

namespace s5j::ops {

struct JobContext {
  // Null when create_if_missing was false and the ledger file does not
  // exist: nothing was ever recorded (not an error).
  std::unique_ptr<ledger::Ledger> ledger;
  // Nullopt when the ledger has no record of config.job yet.
  std::optional<ledger::JobRecord> job;
};

// Opens the job's ledger: ledger.postgres_url when set, else the SQLite file
// ledger.path (already anchored to the config file, config/job_paths.h).
// Refuses (LedgerError, naming both files and the fix) to create a new file
// there while a ledger exists where s5j 0.1 put it, relative to the working
// directory: that would start the job over beside its real ledger.
Result<std::unique_ptr<ledger::Ledger>> open_job_ledger(const config::Config& config, bool create_if_missing = true);

// Opens the job's ledger (open_job_ledger) and looks up
// config.job. With create_if_missing=false nothing is created: a missing
// file gives a JobContext without ledger. Errors are the ledger's
// (LedgerError & co.), one line naming the file and the fix.
Result<JobContext> open_job_context(const config::Config& config, bool create_if_missing);

// This machine's host name as lock and run records carry it.
std::string this_host();
// True when `pid` names a live process on this host (kill(pid, 0); EPERM,
// a process of another user, counts as alive).
bool process_alive(int64_t pid);

// False when the holder's process is known to be gone: it ran on this host
// and its pid no longer exists. A holder on another host counts as alive
// (only its lease can tell).
bool holder_alive(const ledger::LockHolder& holder);

struct ActiveRun {
  ledger::LockHolder holder;  // owner, pid, host, acquired_at, expires_at, role
  // When the run began: its run record (same pid and host, not ended), else
  // when the lock was acquired.
  ledger::TimePoint started_at;
  std::string command;  // from the run record; empty when none matched
  // Live holders of the job's other roles in other processes: `stage` and
  // `drain` run side by side as two processes (one entry per process).
  std::vector<ledger::LockHolder> other_processes;
  // Every lock row of the job as read (one per role held), for `status`'s
  // workers and their published figures.
  std::vector<ledger::LockHolder> holders;
};

// The run holding a lock of the job now, if any (the whole-job lock first,
// then per role): a holder whose lease has not expired and that is
// holder_alive(). A holder whose process is gone is not active (its lock
// may be broken).
Result<std::optional<ActiveRun>> find_active_run(ledger::JobControl& ledger, ledger::JobId job);

// config.staging and config.job as Stager options (volumes, pattern,
// reserve, volume limit, job); the rest keep their defaults.
staging::StagingOptions staging_options_for(const config::Config& config);

// The job's staging volumes as the Stager would use them (staging.volumes
// normalized, else the existing <volume_pattern>01..99), without creating
// or checking anything: for read-only figures and scans.
std::vector<std::string> staging_volume_paths(const config::Config& config);

}  // namespace s5j::ops
