// The walk over a parsed config.yaml document, driven by the key table:
// every key is looked up in its section, its value converted to the key's
// type and handed to the key's rule (key_table.h). Internal to src/config/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/key_table.h"

namespace s5j::config::detail {

// A problem at a line of the file (0: the file as a whole), without the
// file name: "unknown key 'x' in source (did you mean 'y'?)".
struct Failure {
  int line = 0;
  std::string message;
};

// Walks the keys of `map` (a mapping node) as keys of `section`, applying
// each value to ctx.cfg, and returns every problem found, in file order:
// each unknown key (with its "did you mean" or the valid keys), each value
// its key's rule refuses. The walk goes on past a problem, so one run
// reports them all; a value after a problem may still have been applied, so
// the Config is only good when the list is empty.
std::vector<Failure> walk_section(Ctx& ctx, const YAML::Node& map, Section section);

// "a list", "a section of keys" or "a single value", for messages.
std::string node_kind(const YAML::Node& n);
// 1-based line of a node, 0 when yaml-cpp has none.
int line_of(const YAML::Node& n);

}  // namespace s5j::config::detail
