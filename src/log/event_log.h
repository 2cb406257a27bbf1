// EventLog: a JSON-lines file of events with stable names and fields
// (job, key, part, attempt, endpoint, bytes, duration_ms, error...), one
// object per line, each with "ts" (ISO 8601 UTC) and "event". Secrets are
// removed by the Redactor before a line is written.
//
// What is written follows EventLogOptions: events below `level` (each
// event's level comes from its name, event_levels.h) are dropped, and the
// routine per-object events are written for every object, one object in
// N (all of that object's events, picked by a hash of its key), or none.
// A file that reaches `max_size` is rotated (log_files.h): renamed,
// compressed on a thread of its own, and the series pruned to `keep`
// files besides the live one.
//
// Thread safety: emit() may be called from many threads; lines never interleave.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "log/event_levels.h"
#include "log/redactor.h"

namespace s5j::log {

// The code of every EventLog failure (fatal; the message names the path).
inline constexpr char kLogError[] = "LogError";

struct EventLogOptions {
  Level level = Level::info;
  // Routine per-object events: 1 every object, N one object in N, 0 none.
  uint32_t object_events_every = 1;
  uint64_t max_size = 0;  // bytes; 0: never rotated
  uint32_t keep = 0;      // files of the series kept besides the live one
  // The file-name prefix shared by this log's earlier runs and rotated
  // pieces (log_files.h); empty: nothing is ever pruned.
  std::string series;
};

class EventLog {
 public:
  // Creates `dir` if needed and opens "<dir>/<file_name>" for appending
  // (mode 0600). Error code "LogError" names the path and the fix. With a
  // series and `keep`, older files of the series beyond `keep` are deleted.
  static Result<std::unique_ptr<EventLog>> open(const std::string& dir, const std::string& file_name,
                                                Redactor redactor, EventLogOptions options = {},
                                                const Clock& clock = SystemClock::instance());
  // A log that drops everything (for commands without a log directory).
  static std::unique_ptr<EventLog> null();
  ~EventLog();

  void emit(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void flush();
  const std::string& path() const { return path_; }
  // Whether emit(event, ...) for an object with this key would write a line:
  // lets a caller skip building the fields of an event that is dropped.
  bool wants(std::string_view event, std::string_view key = {}) const;

 private:
  EventLog(std::FILE* file, std::string dir, std::string file_name, Redactor redactor, EventLogOptions options,
           const Clock& clock, uint64_t size);
  void rotate_locked();
  void finish_compression();

  const bool enabled_;  // opened on a file (not null()); file_ may still be lost to a failed rotation
  std::FILE* file_;     // guarded by mutex_
  std::string dir_;
  std::string file_name_;
  std::string path_;
  Redactor redactor_;
  EventLogOptions options_;
  const Clock& clock_;
  std::mutex mutex_;  // serialises writes to file_ and rotation
  uint64_t size_ = 0;        // of the live file
  uint32_t rotations_ = 0;   // pieces this run rotated out
  std::thread compressor_;   // compressing the last piece rotated out
};

}  // namespace s5j::log
