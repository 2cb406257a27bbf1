// Where a source key lands at the destination: the source prefix replaced
// by the destination prefix (a key outside the source prefix keeps its
// whole name under the destination prefix). One definition for every
// component that maps keys (planner, copier, relay upload leg, orphan
// sweep, verify), so they can never disagree.
#pragma once

#include <string>
#include <string_view>

namespace s5j::transfer {

inline std::string destination_key_for(std::string_view source_prefix, std::string_view destination_prefix,
                                       std::string_view source_key) {
  if (source_key.starts_with(source_prefix)) source_key.remove_prefix(source_prefix.size());
  std::string key(destination_prefix);
  key += source_key;
  return key;
}

}  // namespace s5j::transfer
