// Keeping secrets out of config messages. Internal to src/config/ (the
// public redact() is declared in config.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace s5j::config::detail {

// Every value in the document under a secret-looking key (a secret key of
// the table, or any key naming a secret, token or password, misspelt ones
// included), and every password inside a URL: a message built from any part
// of the document is scrubbed of these before it leaves (a safety net
// behind messages that already avoid echoing secrets).
void collect_secret_values(const YAML::Node& node, std::vector<std::string>& out);

// `text` with every non-empty occurrence of `secrets` replaced by "***"
// (longest first, so a secret containing another is replaced whole).
std::string scrub(std::string text, std::vector<std::string> secrets);

}  // namespace s5j::config::detail
