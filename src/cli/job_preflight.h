// The job's local pre-flight, shared by `s5j check` and `s5j transfer`:
// where the ledger lives and whether it can be opened or created, and, for
// a staged job, each staging volume (exists, a directory, writable, free
// and usable space). The S3 sides are cli/check_command.h's run_check.
//
// A staged job (transfer_mode_for) is one whose config says job.mode:
// relay, or with job.mode: auto (the default) whose ledger record says so,
// or, for a job the ledger does not know yet, whose config lists
// staging.volumes: `s5j transfer` relays it through the volumes; every
// other job is a direct `sync`.
//
// Checking a volume makes the job's staging directory on it
// (<volume>/s5j-staging/<job>) as `stage` would, and writes and removes a
// probe file there: the only way to know a write succeeds.
//
// Thread safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "config/config.h"

namespace s5j::cli {

enum class TransferMode { sync, relay };
std::string_view to_string(TransferMode mode);

// job.mode relay or sync, when set; with auto the ledger's record of the
// job (a job's mode never changes), else staging.volumes listed -> relay,
// else sync. A ledger that cannot be read is left to the ledger check: the
// config decides. Error (ConfigError, naming the fix) when job.mode
// contradicts the ledger's record.
Result<TransferMode> transfer_mode_for(const config::Config& config);

struct VolumeCheck {
  std::string path;
  bool usable = false;          // exists, a directory, writable, and space left to stage into
  uint64_t free_bytes = 0;      // available to this user (statvfs)
  uint64_t usable_bytes = 0;    // free minus staging.reserve, at most staging.volume_limit
  std::string problem;          // one line when !usable
  // A plain directory, on the root disk or tmpfs (staging/volume_mount.h):
  // a warning, or with staging.require_mounts the problem that makes it unusable.
  bool own_filesystem = true;
  std::string mount_warning;
};

struct StagingCheck {
  std::vector<VolumeCheck> volumes;
  std::optional<Error> error;  // StagingError: the first problem, or no volume at all
  uint64_t usable_bytes() const;
};

struct LedgerCheck {
  std::string location;  // the SQLite file (redact before printing: may be a URL)
  bool exists = false;
  bool ok = false;       // exists and opens as a ledger, or its directory can be created/written
  uint64_t verified_objects = 0;  // of config.job, when the ledger exists
  uint64_t verified_bytes = 0;
  uint64_t known_objects = 0;
  std::optional<Error> error;  // LedgerError when !ok
};

StagingCheck check_staging_volumes(const config::Config& config);
LedgerCheck check_ledger_location(const config::Config& config);

nlohmann::json to_json(const StagingCheck& check);
nlohmann::json to_json(const LedgerCheck& check);
std::string to_text(const StagingCheck& check);
std::string to_text(const LedgerCheck& check);

}  // namespace s5j::cli
