#include "log/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/strings.h"

namespace s5j::log {

Result<std::unique_ptr<EventLog>> EventLog::open(const std::string& dir, const std::string& file_name,
                                                 Redactor redactor, const Clock& clock) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error(ErrorKind::fatal, kLogError,
                      "cannot create log directory '" + dir + "': " + ec.message() + " (set log.dir to a writable directory)");
  std::string path = (std::filesystem::path(dir) / file_name).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(ErrorKind::fatal, kLogError,
                      "cannot open log file '" + path + "': " + std::strerror(errno) + " (set log.dir to a writable directory)");
  std::FILE* file = ::fdopen(fd, "a");
  if (file == nullptr) {
    ::close(fd);
    return make_error(ErrorKind::fatal, kLogError, "cannot open log file '" + path + "'");
  }
  return std::unique_ptr<EventLog>(new EventLog(file, std::move(path), std::move(redactor), clock));
}

std::unique_ptr<EventLog> EventLog::null() {
  return std::unique_ptr<EventLog>(new EventLog(nullptr, "", Redactor(), SystemClock::instance()));
}

EventLog::EventLog(std::FILE* file, std::string path, Redactor redactor, const Clock& clock)
    : file_(file), path_(std::move(path)), redactor_(std::move(redactor)), clock_(clock) {}

EventLog::~EventLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void EventLog::emit(std::string_view event, nlohmann::json fields) {
  if (file_ == nullptr) return;
  // The caller's object becomes the line: objects keep their keys sorted,
  // so adding ts and event here writes what a fresh object would, without
  // copying every field (this runs three times per object copied).
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["ts"] = format_iso8601(clock_.now());
  fields["event"] = event;
  // Keys may hold any bytes; replace invalid UTF-8 rather than throw.
  std::string text = redactor_.apply(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  text.push_back('\n');
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
  // Each line reaches the file at once (one write, O_APPEND): a process
  // killed or crashing loses no event it emitted, and `tail -f` and status
  // see the run as it goes.
  std::fflush(file_);
}

void EventLog::flush() {
  if (file_ == nullptr) return;
  std::lock_guard lock(mutex_);
  std::fflush(file_);
}

}  // namespace s5j::log
