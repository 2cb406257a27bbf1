#include "config/secret_scrub.h"

#include <algorithm>

#include "base/strings.h"
#include "config/config.h"
#include "http/endpoint_url.h"
#include "config/key_table.h"

namespace s5j::config {
namespace detail {
namespace {

void collect_all_scalars(const YAML::Node& node, std::vector<std::string>& out) {
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) collect_all_scalars(item, out);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) collect_all_scalars(it->second, out);
  }
}

bool looks_secret(const YAML::Node& key) {
  if (!key.IsScalar()) return false;
  const std::string name = to_lower(key.Scalar());
  for (const Key& k : all_keys()) {
    if (is_secret_type(k.type) && k.name == name) return true;
  }
  // Misspelt secret keys ("secret_acess_key") count too.
  for (std::string_view word : {"secret", "token", "password", "passwd"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

// Every value in the document under a secret-looking key, and every password
}  // namespace

void collect_secret_values(const YAML::Node& node, std::vector<std::string>& out) {
  if (node.IsScalar()) {
    if (std::string pw = http::url_password(node.Scalar()); !pw.empty()) out.push_back(pw);
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) collect_secret_values(item, out);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (looks_secret(it->first))
        collect_all_scalars(it->second, out);
      else
        collect_secret_values(it->second, out);
    }
  }
}

std::string scrub(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
      text.replace(pos, s.size(), "***");
    }
  }
  return text;
}
}  // namespace detail

std::string redact(const Config& config, std::string text) {
  std::vector<std::string> secrets;
  for (const SideConfig* side : {&config.source, &config.destination}) {
    secrets.push_back(side->secret_access_key);
    secrets.push_back(side->session_token);
    secrets.push_back(http::url_password(side->network.proxy));
  }
  secrets.push_back(http::url_password(config.ledger.postgres_url));
  return detail::scrub(std::move(text), std::move(secrets));
}

}  // namespace s5j::config
