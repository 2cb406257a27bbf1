// Recovery scan: what a job has on its staging volumes, read from disk.
//
// Walks <volume>/s5j-staging/<job>/<shard>/ on each volume without
// following symlinks, and sorts what it finds into complete staged files
// (named <id>), leftover .part files (a write cut short, typically by a
// crash or power cut: delete them and stage the object again), and
// anything else (left alone, listed so it can be reported).
// Read-only: deletes nothing.
//
// Thread safety: free function, no shared state; the listing is a snapshot
// that concurrent writers may change.
// Failure: StagingIoError when a directory cannot be read (a missing job
// directory is simply empty).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "staging/staging_layout.h"

namespace s5j::staging {

struct StagedEntry {
  StagedId id = 0;
  size_t volume_index = 0;  // index into the volumes passed in
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // last modification, for picking the newest of duplicates
};

struct ScanResult {
  std::vector<StagedEntry> complete;  // sorted by id, then volume
  std::vector<StagedEntry> partial;   // .part files, sorted by id, then volume
  std::vector<std::string> unknown;   // other paths under the job's directories
};

Result<ScanResult> scan_staging(const std::vector<std::string>& volumes, std::string_view job);

}  // namespace s5j::staging
