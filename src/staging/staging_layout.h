// Where staged files live: pure path arithmetic, no I/O. Thread-safe.
//
//   <volume>/s5j-staging/<job>/<shard>/<id>        complete staged file
//   <volume>/s5j-staging/<job>/<shard>/<id>.part   being written (or left
//                                                  by a crash)
//
// <id> is the ledger's object id (an int64 > 0) in canonical decimal (no
// sign, no leading zeros); <shard> is id % 1000 as three digits, so a job
// with millions of staged objects never makes one huge flat directory.
// Nothing but the configured volume, the validated job name and the id goes
// into a path: an object key never does, so no key can make the stager write
// or delete outside its staging directories.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace s5j::staging {

using StagedId = int64_t;  // ledger ObjectId value

inline constexpr std::string_view kStagingDirName = "s5j-staging";
inline constexpr std::string_view kPartSuffix = ".part";
inline constexpr int64_t kShardCount = 1000;

// Job names become one directory level: 1..128 characters of [A-Za-z0-9._-],
// not "." or "..". Otherwise StagingError (fatal) naming the fix.
Status validate_job_name(std::string_view job);
// Ids must be > 0 (InvalidArgument otherwise).
Status validate_id(StagedId id);

// `volume` without trailing '/' (except "/" itself).
std::string normalize_volume_path(std::string_view volume);

std::string staging_root(std::string_view volume);                     // <volume>/s5j-staging
std::string job_dir(std::string_view volume, std::string_view job);   // <volume>/s5j-staging/<job>
std::string shard_name(StagedId id);                                   // "000".."999"
std::string shard_dir(std::string_view volume, std::string_view job, StagedId id);
std::string staged_path(std::string_view volume, std::string_view job, StagedId id);
std::string part_path(std::string_view volume, std::string_view job, StagedId id);

// A file name found in shard directory `shard`: the id and whether it is a
// .part, or nullopt when it is not a name this layout produces there (wrong
// shard, leading zeros, out of range, anything else).
struct ParsedName {
  StagedId id = 0;
  bool part = false;
};
std::optional<ParsedName> parse_staged_name(std::string_view shard, std::string_view file_name);

}  // namespace s5j::staging
