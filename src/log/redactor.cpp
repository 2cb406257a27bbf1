#include "log/redactor.h"

#include <algorithm>

namespace s5j::log {

Redactor::Redactor(std::vector<std::string> secrets) {
  for (auto& s : secrets)
    if (s.size() >= 4) secrets_.push_back(std::move(s));
  // Longest first, so a secret that contains another is removed whole.
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::apply(std::string text) const {
  for (const auto& secret : secrets_) {
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
      text.replace(pos, secret.size(), "***");
  }
  return text;
}

}  // namespace s5j::log
