// Redactor: removes secrets from any text before it is written anywhere
// (event log, console, error messages). Built once from the configured
// secrets; every output path of the CLI goes through one.
//
// Thread safety: immutable after construction; apply() is safe from many threads.
#pragma once

#include <string>
#include <vector>

namespace s5j::log {

class Redactor {
 public:
  Redactor() = default;
  // Empty strings and strings shorter than 4 bytes are ignored (they would
  // mangle ordinary text and are not credentials).
  explicit Redactor(std::vector<std::string> secrets);
  std::string apply(std::string text) const;

 private:
  std::vector<std::string> secrets_;
};

}  // namespace s5j::log
