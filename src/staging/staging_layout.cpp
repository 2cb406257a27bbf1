#include "staging/staging_layout.h"

#include <charconv>
#include <cstdio>

#include "staging/staging_error.h"

namespace s5j::staging {

Status validate_job_name(std::string_view job) {
  bool ok = !job.empty() && job.size() <= 128 && job != "." && job != "..";
  for (char c : job) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == '.' || c == '_' || c == '-';
    ok = ok && allowed;
  }
  if (ok) return {};
  return staging_error(ErrorKind::fatal, kStagingError,
                       "job name \"" + std::string(job) +
                           "\" cannot name a staging directory (use 1-128 characters of A-Z a-z 0-9 . _ -)");
}

Status validate_id(StagedId id) {
  if (id > 0) return {};
  return staging_error(ErrorKind::permanent, kInvalidArgument,
                       "staged id " + std::to_string(id) + " is not a ledger object id (must be > 0)");
}

std::string normalize_volume_path(std::string_view volume) {
  while (volume.size() > 1 && volume.back() == '/') volume.remove_suffix(1);
  return std::string(volume);
}

std::string staging_root(std::string_view volume) {
  std::string v = normalize_volume_path(volume);
  if (v != "/") v += '/';
  v += kStagingDirName;
  return v;
}

std::string job_dir(std::string_view volume, std::string_view job) {
  return staging_root(volume) + "/" + std::string(job);
}

std::string shard_name(StagedId id) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d", static_cast<int>(id % kShardCount));
  return buf;
}

std::string shard_dir(std::string_view volume, std::string_view job, StagedId id) {
  return job_dir(volume, job) + "/" + shard_name(id);
}

std::string staged_path(std::string_view volume, std::string_view job, StagedId id) {
  return shard_dir(volume, job, id) + "/" + std::to_string(id);
}

std::string part_path(std::string_view volume, std::string_view job, StagedId id) {
  return staged_path(volume, job, id) + std::string(kPartSuffix);
}

std::optional<ParsedName> parse_staged_name(std::string_view shard, std::string_view file_name) {
  ParsedName out;
  if (file_name.ends_with(kPartSuffix)) {
    out.part = true;
    file_name.remove_suffix(kPartSuffix.size());
  }
  // Canonical decimal only, so name <-> id is one-to-one.
  if (file_name.empty() || file_name.front() == '0') return std::nullopt;
  for (char c : file_name) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const auto [ptr, ec] = std::from_chars(file_name.data(), file_name.data() + file_name.size(), out.id);
  if (ec != std::errc() || ptr != file_name.data() + file_name.size() || out.id <= 0) return std::nullopt;
  if (shard_name(out.id) != shard) return std::nullopt;
  return out;
}

}  // namespace s5j::staging
