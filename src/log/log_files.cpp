#include "log/log_files.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <regex>
#include <tuple>
#include <vector>

#include "log/event_log.h"  // kLogError

namespace s5j::log {

namespace fs = std::filesystem;

std::string run_log_name(std::string_view series) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(series) + "-" + stamp + "-" + std::to_string(::getpid()) + ".jsonl";
}

bool belongs_to_series(std::string_view file_name, std::string_view series) {
  if (!file_name.starts_with(series) || file_name.size() == series.size() || file_name[series.size()] != '-')
    return false;
  static const std::regex kRest(R"([0-9]{8}T[0-9]{6}Z-[0-9]+\.jsonl(\.[0-9]+(\.gz)?)?)");
  const std::string rest(file_name.substr(series.size() + 1));
  return std::regex_match(rest, kRest);
}

Result<uint64_t> prune_series(const std::string& dir, std::string_view series, uint32_t keep,
                              std::string_view live_name) {
  struct Found {
    fs::file_time_type mtime;
    std::string name;
  };
  std::vector<Found> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == live_name || !belongs_to_series(name, series)) continue;
    std::error_code time_ec;
    const auto mtime = fs::last_write_time(it->path(), time_ec);
    if (time_ec) continue;  // gone meanwhile
    files.push_back({mtime, name});
  }
  if (ec) return make_error(ErrorKind::fatal, kLogError, "cannot list log directory '" + dir + "': " + ec.message());
  if (files.size() <= keep) return 0;
  // Oldest first; within one run's files written in the same instant, its
  // pieces by number and then its last file.
  auto order = [](const Found& f) {
    const size_t jsonl = f.name.find(".jsonl");
    const std::string base = f.name.substr(0, jsonl);
    const std::string rest = f.name.substr(jsonl + 6);  // "", ".<n>" or ".<n>.gz"
    const uint64_t piece = rest.empty() ? UINT64_MAX : std::stoull(rest.substr(1));
    return std::tuple(f.mtime, base, piece);
  };
  std::sort(files.begin(), files.end(), [&](const Found& a, const Found& b) { return order(a) < order(b); });
  uint64_t removed = 0;
  for (size_t i = 0; i + keep < files.size(); ++i) {
    std::error_code rm_ec;
    if (fs::remove(fs::path(dir) / files[i].name, rm_ec)) ++removed;
  }
  return removed;
}

Status gzip_file(const std::string& source) {
  const std::string target = source + ".gz";
  const std::string temp = target + ".tmp";
  auto fail = [&](const std::string& what) {
    std::error_code ec;
    fs::remove(temp, ec);
    return make_error(ErrorKind::fatal, kLogError, "cannot compress log '" + source + "': " + what);
  };
  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return fail(std::strerror(errno));
  const int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    const int err = errno;
    ::close(in);
    return fail(std::strerror(err));
  }
  // gzdopen owns `out` from here; level 6 (zlib's default) makes JSON lines
  // about a tenth of their size.
  gzFile gz = gzdopen(out, "wb6");
  if (gz == nullptr) {
    ::close(in);
    ::close(out);
    return fail("zlib could not start");
  }
  std::vector<char> buffer(1 << 16);
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    if (gzwrite(gz, buffer.data(), static_cast<unsigned>(n)) != static_cast<int>(n)) {
      ok = false;
      break;
    }
  }
  ::close(in);
  // gzflush(Z_FINISH) writes the trailer; fsync before the rename so the
  // .gz is whole after a power cut, and only then is the source removed.
  ok = gzflush(gz, Z_FINISH) == Z_OK && ok;
  ok = ::fsync(out) == 0 && ok;
  ok = gzclose(gz) == Z_OK && ok;
  if (!ok) return fail("write failed (disk full?)");
  if (::rename(temp.c_str(), target.c_str()) != 0) return fail(std::strerror(errno));
  if (::unlink(source.c_str()) != 0 && errno != ENOENT) return fail(std::strerror(errno));
  return {};
}

}  // namespace s5j::log
