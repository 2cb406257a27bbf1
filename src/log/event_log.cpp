#include "log/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/strings.h"
#include "log/log_files.h"

namespace s5j::log {
namespace {

std::FILE* open_append(const std::string& path, uint64_t& size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  struct stat st {};
  size = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  std::FILE* file = ::fdopen(fd, "a");
  if (file == nullptr) ::close(fd);
  return file;
}

// FNV-1a: stable across runs and builds, so one object's events are all
// written or all dropped, in every run.
uint64_t key_hash(std::string_view key) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::open(const std::string& dir, const std::string& file_name,
                                                 Redactor redactor, EventLogOptions options, const Clock& clock) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error(ErrorKind::fatal, kLogError,
                      "cannot create log directory '" + dir + "': " + ec.message() + " (set log.dir to a writable directory)");
  std::string path = (std::filesystem::path(dir) / file_name).string();
  uint64_t size = 0;
  std::FILE* file = open_append(path, size);
  if (file == nullptr)
    return make_error(ErrorKind::fatal, kLogError,
                      "cannot open log file '" + path + "': " + std::strerror(errno) + " (set log.dir to a writable directory)");
  // Earlier runs' logs beyond `keep` go now: a timer starting a run every
  // few minutes would otherwise fill the directory one file at a time.
  if (!options.series.empty() && options.keep > 0) (void)prune_series(dir, options.series, options.keep, file_name);
  return std::unique_ptr<EventLog>(new EventLog(file, dir, file_name, std::move(redactor), std::move(options), clock, size));
}

std::unique_ptr<EventLog> EventLog::null() {
  return std::unique_ptr<EventLog>(
      new EventLog(nullptr, "", "", Redactor(), EventLogOptions{}, SystemClock::instance(), 0));
}

EventLog::EventLog(std::FILE* file, std::string dir, std::string file_name, Redactor redactor,
                   EventLogOptions options, const Clock& clock, uint64_t size)
    : enabled_(file != nullptr),
      file_(file),
      dir_(std::move(dir)),
      file_name_(std::move(file_name)),
      path_(file_name_.empty() ? std::string() : (std::filesystem::path(dir_) / file_name_).string()),
      redactor_(std::move(redactor)),
      options_(std::move(options)),
      clock_(clock),
      size_(size) {}

EventLog::~EventLog() {
  finish_compression();
  if (file_ != nullptr) std::fclose(file_);
}

bool EventLog::wants(std::string_view event, std::string_view key) const {
  if (!enabled_ || level_of(event) < options_.level) return false;
  if (options_.object_events_every == 1 || !is_routine_object_event(event)) return true;
  return options_.object_events_every != 0 && key_hash(key) % options_.object_events_every == 0;
}

void EventLog::emit(std::string_view event, nlohmann::json fields) {
  if (!enabled_) return;
  if (!fields.is_object()) fields = nlohmann::json::object();
  {
    const auto key = fields.find("key");
    const bool has_key = key != fields.end() && key->is_string();
    if (!wants(event, has_key ? std::string_view(key->get_ref<const std::string&>()) : std::string_view()))
      return;
  }
  // The caller's object becomes the line: objects keep their keys sorted,
  // so adding ts and event here writes what a fresh object would, without
  // copying every field (this runs three times per object copied).
  fields["ts"] = format_iso8601(clock_.now());
  fields["event"] = event;
  // Keys may hold any bytes; replace invalid UTF-8 rather than throw.
  std::string text = redactor_.apply(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  text.push_back('\n');
  std::lock_guard lock(mutex_);
  if (file_ == nullptr) return;  // rotation failed to open a new file
  std::fwrite(text.data(), 1, text.size(), file_);
  // Each line reaches the file at once (one write, O_APPEND): a process
  // killed or crashing loses no event it emitted, and `tail -f` and status
  // see the run as it goes.
  std::fflush(file_);
  size_ += text.size();
  if (options_.max_size != 0 && size_ >= options_.max_size) rotate_locked();
}

void EventLog::rotate_locked() {
  // One piece compresses at a time: a log filling max_size faster than
  // zlib compresses it waits here rather than piling up threads.
  finish_compression();
  std::fclose(file_);
  file_ = nullptr;
  const std::string piece = path_ + "." + std::to_string(++rotations_);
  const bool renamed = ::rename(path_.c_str(), piece.c_str()) == 0;
  file_ = open_append(path_, size_);
  if (file_ == nullptr) return;  // nowhere to write: later events are lost, the run goes on
  if (!renamed) {  // kept appending to the same file: stop trying
    options_.max_size = 0;
    return;
  }
  compressor_ = std::thread([piece, dir = dir_, options = options_, live = file_name_] {
    (void)gzip_file(piece);
    if (!options.series.empty() && options.keep > 0) (void)prune_series(dir, options.series, options.keep, live);
  });
}

void EventLog::finish_compression() {
  if (compressor_.joinable()) compressor_.join();
}

void EventLog::flush() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (file_ != nullptr) std::fflush(file_);
}

}  // namespace s5j::log
