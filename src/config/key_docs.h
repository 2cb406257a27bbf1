// The config.yaml keys as documentation: one row per key of the loader's
// own table (key_table.h), so the man page's CONFIGURATION section lists
// exactly the keys the loader accepts. docs/config.md explains them.
#pragma once

#include <string>
#include <vector>

namespace s5j::config {

struct KeyDoc {
  std::string section;             // "" (top level), "source and destination", "transfer", ...
  std::string name;                // as written in the file
  std::string value;               // what a value looks like ("a whole number", ...)
  std::string alias_of;            // the key this one is another spelling of, or ""
  bool legacy = false;             // a key of the original toolset's config
  bool secret = false;             // never repeated in any message
  bool url_with_password = false;  // a URL whose password is never repeated
};

// Every key, section by section in the loader's order.
std::vector<KeyDoc> key_docs();

}  // namespace s5j::config
