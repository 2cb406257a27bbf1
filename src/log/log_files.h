// The files of a series of event logs in one directory: each run writes
// "<series>-<UTC stamp>-<pid>.jsonl" (unique per process, sorted by time);
// a file that reaches log.max_size is renamed "<name>.<n>" and compressed
// to "<name>.<n>.gz" while the run goes on writing a fresh "<name>". The
// series keeps at most `keep` files besides the live one: older ones,
// whether from this run or earlier runs, are deleted oldest first.
//
// Thread safety: free functions; prune and gzip may run beside writers of
// the live file (they never touch it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace s5j::log {

// "<series>-<YYYYmmddTHHMMSSZ>-<pid>.jsonl" for now and this process.
std::string run_log_name(std::string_view series);

// Whether `file_name` is a log of `series` (live, rotated or compressed):
// exactly the series, a stamp, a pid, ".jsonl" and maybe ".<n>" and ".gz",
// so that the logs of job "a" are never taken for those of job "a-b".
bool belongs_to_series(std::string_view file_name, std::string_view series);

// Deletes the oldest files of `series` in `dir` (by modification time,
// then name) until at most `keep` remain besides `live_name`. Returns how
// many were deleted; files that vanish meanwhile are not an error.
Result<uint64_t> prune_series(const std::string& dir, std::string_view series, uint32_t keep,
                              std::string_view live_name);

// Compresses `source` into "<source>.gz" (written as "<source>.gz.tmp",
// synced, then renamed, so a crash leaves either no .gz or a whole one)
// and removes `source`.
Status gzip_file(const std::string& source);

}  // namespace s5j::log
