#include "config/credentials_file.h"

#include <cctype>

#include "base/strings.h"

namespace s5j::config {

std::map<std::string, ProfileCredentials> parse_shared_credentials(std::string_view text) {
  std::map<std::string, ProfileCredentials> profiles;
  ProfileCredentials* current = nullptr;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    // Indented lines continue a nested block ("s3 =\n  max_concurrent_requests = 4").
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) {
        current = nullptr;  // malformed header: ignore its keys rather than file them elsewhere
        continue;
      }
      current = &profiles[std::string(trim(line.substr(1, close - 1)))];
      continue;
    }
    if (current == nullptr || indented) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = to_lower(trim(line.substr(0, eq)));
    const std::string value(trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id")
      current->access_key = value;
    else if (key == "aws_secret_access_key")
      current->secret_access_key = value;
    else if (key == "aws_session_token")
      current->session_token = value;
  }
  return profiles;
}

}  // namespace s5j::config
