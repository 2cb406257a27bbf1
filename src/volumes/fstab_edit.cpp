#include "volumes/fstab_edit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "volumes/mount_table.h"
#include "volumes/volume_error.h"

namespace s5j::volumes {
namespace {

// The first two fields of an entry line; empty for comments and blank lines.
std::pair<std::string, std::string> spec_and_mount_point(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos || line[i] == '#') return {};
  const size_t spec_end = line.find_first_of(" \t", i);
  if (spec_end == std::string_view::npos) return {std::string(line.substr(i)), ""};
  const size_t mp = line.find_first_not_of(" \t", spec_end);
  if (mp == std::string_view::npos) return {std::string(line.substr(i, spec_end - i)), ""};
  const size_t mp_end = line.find_first_of(" \t", mp);
  return {std::string(line.substr(i, spec_end - i)),
          decode_octal_escapes(line.substr(mp, mp_end == std::string_view::npos ? std::string_view::npos : mp_end - mp))};
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

std::string fstab_with_line(std::string_view text, std::string_view line) {
  const auto [spec, mount_point] = spec_and_mount_point(line);
  std::string out;
  bool placed = false;
  for (auto l : lines_of(text)) {
    const auto [s, m] = spec_and_mount_point(l);
    if (!s.empty() && (s == spec || m == mount_point)) {
      if (!placed) out += std::string(line) + "\n";  // in place of the first line it replaces
      placed = true;
      continue;
    }
    out += std::string(l) + "\n";
  }
  if (!placed) out += std::string(line) + "\n";
  return out;
}

std::string fstab_without(std::string_view text, const std::set<std::string>& specs,
                          const std::set<std::string>& mount_points) {
  std::string out;
  for (auto l : lines_of(text)) {
    const auto [s, m] = spec_and_mount_point(l);
    if (!s.empty() && (specs.contains(s) || mount_points.contains(m))) continue;
    out += std::string(l) + "\n";
  }
  return out;
}

std::vector<std::string> fstab_mount_points(std::string_view text) {
  std::vector<std::string> out;
  for (auto l : lines_of(text))
    if (auto [s, m] = spec_and_mount_point(l); !m.empty()) out.push_back(m);
  return out;
}

std::vector<FstabEntry> fstab_entries(std::string_view text) {
  std::vector<FstabEntry> out;
  for (auto l : lines_of(text))
    if (auto [s, m] = spec_and_mount_point(l); !s.empty()) out.push_back({s, m});
  return out;
}

Result<std::string> read_fstab(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::string();
    return volume_error("cannot read " + path + ": " + std::strerror(errno) + " (check --fstab)");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_fstab(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".s5j-" + std::to_string(::getpid());
  mode_t mode = 0644;
  if (struct stat st {}; ::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return volume_error("cannot write " + tmp + ": " + std::strerror(errno) + " (check --fstab)");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = written ? errno : err;
    ::unlink(tmp.c_str());
    return volume_error("cannot write " + path + ": " + std::strerror(e) + " (check --fstab)");
  }
  return {};
}

}  // namespace s5j::volumes
