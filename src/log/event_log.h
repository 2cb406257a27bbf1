// EventLog: a JSON-lines file of events with stable names and fields
// (job, key, part, attempt, endpoint, bytes, duration_ms, error...), one
// object per line, each with "ts" (ISO 8601 UTC) and "event". Secrets are
// removed by the Redactor before a line is written.
//
// Thread safety: emit() may be called from many threads; lines never interleave.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "log/redactor.h"

namespace s5j::log {

// The code of every EventLog failure (fatal; the message names the path).
inline constexpr char kLogError[] = "LogError";

class EventLog {
 public:
  // Creates `dir` if needed and opens "<dir>/<file_name>" for appending
  // (mode 0600). Error code "LogError" names the path and the fix.
  static Result<std::unique_ptr<EventLog>> open(const std::string& dir, const std::string& file_name,
                                                Redactor redactor, const Clock& clock = SystemClock::instance());
  // A log that drops everything (for commands without a log directory).
  static std::unique_ptr<EventLog> null();
  ~EventLog();

  void emit(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void flush();
  const std::string& path() const { return path_; }

 private:
  EventLog(std::FILE* file, std::string path, Redactor redactor, const Clock& clock);
  std::FILE* file_;
  std::string path_;
  Redactor redactor_;
  const Clock& clock_;
  std::mutex mutex_;  // serialises writes to file_
};

}  // namespace s5j::log
