#include "volumes/mount_table.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "volumes/volume_error.h"

namespace s5j::volumes {
namespace {

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool parse_unsigned(std::string_view s, unsigned& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

std::string decode_octal_escapes(std::string_view text) {
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && octal(text[i + 1]) && octal(text[i + 2]) && octal(text[i + 3])) {
      out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += text[i];
  }
  return out;
}

// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  for_each_line(text, [&](std::string_view line) {
    const auto f = split_spaces(line);
    if (f.size() < 10) return;
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 2 >= f.size()) return;
    const auto colon = f[2].find(':');
    if (colon == std::string_view::npos) return;
    MountEntry e;
    if (!parse_unsigned(f[2].substr(0, colon), e.major) || !parse_unsigned(f[2].substr(colon + 1), e.minor)) return;
    e.mount_point = decode_octal_escapes(f[4]);
    e.fs_type = std::string(f[dash + 1]);
    e.source = decode_octal_escapes(f[dash + 2]);
    out.push_back(std::move(e));
  });
  return out;
}

// Filename  Type  Size  Used  Priority
// /dev/vdb2 partition 1048572 0 -2
std::vector<std::string> parse_swap_devices(std::string_view text) {
  std::vector<std::string> out;
  for_each_line(text, [&](std::string_view line) {
    const auto f = split_spaces(line);
    if (f.size() < 2 || f[0] == "Filename" || f[1] != "partition") return;
    out.push_back(decode_octal_escapes(f[0]));
  });
  return out;
}

Result<std::vector<MountEntry>> read_mount_table() {
  const std::string text = read_file("/proc/self/mountinfo");
  if (text.empty())
    return volume_error("cannot read /proc/self/mountinfo (is /proc mounted?): without it s5j cannot tell which "
                        "devices are mounted");
  return parse_mountinfo(text);
}

std::vector<std::string> read_swap_devices() { return parse_swap_devices(read_file("/proc/swaps")); }

}  // namespace s5j::volumes
