#include "cli/job_preflight.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/strings.h"
#include "cli/job_context.h"
#include "ledger/ledger_error.h"
#include "staging/fs_stats.h"
#include "staging/staging_error.h"
#include "staging/staging_layout.h"
#include "staging/volume_discovery.h"
#include "staging/volume_mount.h"

namespace s5j::cli {
namespace {

std::string ledger_file(const config::Config& config) {
  const std::string& path = config.ledger.path;
  return path.starts_with("sqlite:") ? path.substr(7) : path;
}

// The directory a new ledger file would be created in, or the nearest
// existing ancestor of it (open_job_ledger creates the missing levels).
std::filesystem::path nearest_existing_dir(std::filesystem::path dir) {
  std::error_code ec;
  while (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return dir.empty() ? std::filesystem::path(".") : dir;
}

}  // namespace

std::string_view to_string(TransferMode mode) { return mode == TransferMode::relay ? "relay" : "sync"; }

Result<TransferMode> transfer_mode_for(const config::Config& config) {
  std::optional<TransferMode> recorded;
  if (auto context = open_job_context(config, /*create_if_missing=*/false); context && context->job)
    recorded = context->job->mode == ledger::JobMode::staged ? TransferMode::relay : TransferMode::sync;
  std::optional<TransferMode> configured;
  if (config.job_mode == "relay") configured = TransferMode::relay;
  if (config.job_mode == "sync") configured = TransferMode::sync;
  if (configured && recorded && *configured != *recorded) {
    const std::string was = *recorded == TransferMode::relay ? "staged (relay)" : "direct (sync)";
    return make_error(ErrorKind::fatal, "ConfigError",
                      "job.mode is " + std::string(to_string(*configured)) + ", but the ledger holds job " +
                          config.job + " as " + was + ": set job.mode: auto (or " +
                          std::string(to_string(*recorded)) + "), or start over with s5j reset");
  }
  if (configured) return *configured;
  if (recorded) return *recorded;
  return config.staging.volumes.empty() ? TransferMode::sync : TransferMode::relay;
}

uint64_t StagingCheck::usable_bytes() const {
  uint64_t n = 0;
  for (const auto& v : volumes) n += v.usable ? v.usable_bytes : 0;
  return n;
}

StagingCheck check_staging_volumes(const config::Config& config) {
  StagingCheck check;
  const bool discovered = config.staging.volumes.empty();
  const auto paths = staging_volume_paths(config);
  if (paths.empty()) {
    const std::string& p = config.staging.volume_pattern;
    check.error = Error{ErrorKind::fatal, staging::kStagingError,
                        "no staging volumes: none of " + p + "01 ... " + p +
                            "99 exists (create or mount them, or list directories in staging.volumes)"};
    return check;
  }
  for (const auto& path : paths) {
    VolumeCheck v{.path = path};
    if (auto prepared = staging::prepare_volume(path, config.job, discovered); !prepared) {
      v.problem = prepared.error().message;
    } else if (auto stats = staging::system_fs_stats(path); !stats) {
      v.problem = stats.error().message;
    } else {
      v.free_bytes = stats->available_bytes;
      v.usable_bytes = v.free_bytes > config.staging.reserve_bytes ? v.free_bytes - config.staging.reserve_bytes : 0;
      if (config.staging.volume_limit_bytes > 0)
        v.usable_bytes = std::min(v.usable_bytes, config.staging.volume_limit_bytes);
      if (v.usable_bytes == 0)
        v.problem = "staging volume " + path + " has no space to stage into: " + human_bytes(v.free_bytes) +
                    " free, staging.reserve keeps " + human_bytes(config.staging.reserve_bytes) +
                    " (free space on it, or lower staging.reserve)";
    }
    if (v.problem.empty()) {
      const auto mount = staging::examine_volume_mount(path);
      v.own_filesystem = mount.ok();
      if (!mount.ok() && config.staging.require_mounts)
        v.problem = "refused (staging.require_mounts: true): " + mount.problem;
      else if (!mount.ok())
        v.mount_warning = mount.problem;
    }
    v.usable = v.problem.empty();
    if (!v.usable && !check.error) check.error = Error{ErrorKind::fatal, staging::kStagingError, v.problem};
    check.volumes.push_back(std::move(v));
  }
  return check;
}

LedgerCheck check_ledger_location(const config::Config& config) {
  LedgerCheck check;
  const bool postgres = !config.ledger.postgres_url.empty();
  check.location = postgres ? config.ledger.postgres_url : ledger_file(config);
  std::error_code ec;
  check.exists = postgres || std::filesystem::exists(check.location, ec);
  if (!check.exists && !config.ledger.working_directory_path.empty() &&
      std::filesystem::exists(config.ledger.working_directory_path, ec)) {
    // open_job_context reports the ledger left in the working directory.
    auto context = open_job_context(config, /*create_if_missing=*/false);
    if (!context) check.error = context.error();
    check.ok = !check.error;
    return check;
  }
  if (!check.exists) {
    const auto dir = nearest_existing_dir(std::filesystem::path(check.location).parent_path());
    if (::access(dir.c_str(), W_OK | X_OK) == 0) {
      check.ok = true;
    } else {
      check.error = Error{ErrorKind::fatal, ledger::kLedgerError,
                          "the ledger " + check.location + " cannot be created: " + dir.string() +
                              " is not writable by this user (fix its permissions, or set ledger.path)"};
    }
    return check;
  }
  auto context = open_job_context(config, /*create_if_missing=*/false);
  if (!context) {
    check.error = context.error();
    return check;
  }
  check.ok = true;
  if (context->ledger && context->job) {
    auto totals = context->ledger->totals(context->job->id);
    if (!totals) {
      check.ok = false;
      check.error = totals.error();
      return check;
    }
    for (const auto& t : *totals) {
      check.known_objects += t.objects;
      if (t.state == ledger::ObjectState::verified) {
        check.verified_objects += t.objects;
        check.verified_bytes += t.bytes;
      }
    }
  }
  return check;
}

nlohmann::json to_json(const StagingCheck& check) {
  nlohmann::json j;
  j["volumes"] = nlohmann::json::array();
  for (const auto& v : check.volumes) {
    nlohmann::json vj{{"path", v.path}, {"usable", v.usable}, {"free_bytes", v.free_bytes},
                      {"usable_bytes", v.usable_bytes}};
    if (!v.usable) vj["error"] = v.problem;
    vj["own_filesystem"] = v.own_filesystem;
    if (!v.mount_warning.empty()) vj["warning"] = v.mount_warning;
    j["volumes"].push_back(vj);
  }
  j["usable_bytes"] = check.usable_bytes();
  j["ok"] = !check.error.has_value();
  if (check.error) j["error"] = {{"code", check.error->code}, {"message", check.error->message}};
  return j;
}

nlohmann::json to_json(const LedgerCheck& check) {
  nlohmann::json j{{"location", check.location}, {"exists", check.exists}, {"ok", check.ok}};
  if (check.exists) {
    j["known_objects"] = check.known_objects;
    j["verified_objects"] = check.verified_objects;
    j["verified_bytes"] = check.verified_bytes;
  }
  if (check.error) j["error"] = {{"code", check.error->code}, {"message", check.error->message}};
  return j;
}

std::string to_text(const StagingCheck& check) {
  std::string out = "staging:\n";
  for (const auto& v : check.volumes) {
    out += "  volume " + v.path + "  ";
    out += v.usable ? "ok, " + human_bytes(v.free_bytes) + " free, " + human_bytes(v.usable_bytes) + " usable"
                    : "FAILED: " + v.problem;
    out += "\n";
    if (!v.mount_warning.empty()) out += "    warning: " + v.mount_warning + "\n";
  }
  if (check.error) {
    out += "  error: " + check.error->message + "\n";
  } else {
    out += "  usable in all      " + human_bytes(check.usable_bytes()) + "\n";
  }
  return out;
}

std::string to_text(const LedgerCheck& check) {
  std::string out = "ledger: " + check.location + "\n";
  if (check.error) return out + "  error: " + check.error->message + "\n";
  if (!check.exists) return out + "  not created yet (its directory is writable): the first run creates it\n";
  out += "  job record         " + std::to_string(check.known_objects) + " objects known, " +
         std::to_string(check.verified_objects) + " verified (" + human_bytes(check.verified_bytes) + ")\n";
  return out;
}

}  // namespace s5j::cli
