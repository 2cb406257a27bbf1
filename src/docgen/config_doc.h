// The Type and Default columns of docs/config.md's key tables, so that the
// man page can say what each key of the loader's table (config/key_docs.h)
// takes and defaults to without a second copy of that text.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace s5j::docgen {

struct ConfigDocRow {
  std::string type;           // "whole number", "size; `0` = no limit" (Markdown)
  std::string default_value;  // "`16`", "empty: discover by `volume_pattern`"
  std::string what;           // the top level's "What" column
};

// Rows by "<section>.<key>": the section as config/key_docs.h names it
// ("" for the top level, "source and destination", "transfer", ...), from
// the "## `section`" heading above each table. A column a table lacks
// leaves its field empty.
std::map<std::string, ConfigDocRow> read_config_doc(std::string_view markdown);

}  // namespace s5j::docgen
