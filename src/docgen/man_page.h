// s5j(1): the man page in roff, rendered from the command line (cli_model),
// the config key table (config/key_docs.h) and the exit codes
// (cli/exit_codes.h) and docs/config.md's key tables, with the few paragraphs
// of prose that have no other home in the code.
#pragma once

#include <map>
#include <string>

#include "docgen/cli_model.h"
#include "docgen/config_doc.h"

namespace s5j::docgen {

struct ManPageInfo {
  std::string version;  // "0.1.0+git.abc" (the page's footer)
  std::string date;     // "2026-12-07"
  // docs/config.md's rows (read_config_doc): each key's type and default.
  // A key without a row is described by its type alone.
  std::map<std::string, ConfigDocRow> config_doc;
};

std::string render_man_page(const CommandModel& cli, const ManPageInfo& info);

// Escapes text for roff: backslashes, hyphens written as minus signs (so
// options can be copied), a leading '.' or '\''; Markdown `code` becomes
// bold.
std::string roff_text(const std::string& text);

}  // namespace s5j::docgen
