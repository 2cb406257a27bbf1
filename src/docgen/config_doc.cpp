#include "docgen/config_doc.h"

#include <vector>

namespace s5j::docgen {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// "| a | b |" -> {"a", "b"}. Cells of these tables hold no '|'.
std::vector<std::string> cells_of(std::string_view line) {
  std::vector<std::string> cells;
  line.remove_prefix(1);
  while (!line.empty()) {
    const auto bar = line.find('|');
    if (bar == std::string_view::npos) break;
    cells.push_back(trimmed(line.substr(0, bar)));
    line.remove_prefix(bar + 1);
  }
  return cells;
}

// "## `staging`" -> "staging"; "## `source` and `destination`" -> "source
// and destination"; "## Top level" -> "".
std::string section_of(std::string_view heading) {
  std::string name;
  for (char ch : heading) {
    if (ch != '`') name += ch;
  }
  name = trimmed(name);
  return name == "Top level" ? "" : name;
}

}  // namespace

std::map<std::string, ConfigDocRow> read_config_doc(std::string_view markdown) {
  std::map<std::string, ConfigDocRow> rows;
  std::string section;
  bool in_keys = false;
  int type_column = -1, default_column = -1, what_column = -1;
  while (!markdown.empty()) {
    const auto end = markdown.find('\n');
    const std::string_view line = markdown.substr(0, end);
    markdown.remove_prefix(end == std::string_view::npos ? markdown.size() : end + 1);
    if (line.starts_with("## ")) {
      section = section_of(line.substr(3));
      in_keys = false;
    } else if (line.starts_with("| Key |")) {
      const auto header = cells_of(line);
      type_column = default_column = what_column = -1;
      for (size_t i = 0; i < header.size(); ++i) {
        if (header[i] == "Type") type_column = static_cast<int>(i);
        if (header[i] == "Default") default_column = static_cast<int>(i);
        if (header[i] == "What") what_column = static_cast<int>(i);
      }
      in_keys = true;
    } else if (in_keys && line.starts_with("| `")) {
      const auto cells = cells_of(line);
      std::string key = cells[0];
      if (key.size() < 3 || key.back() != '`') continue;
      key = key.substr(1, key.size() - 2);
      ConfigDocRow row;
      const auto cell = [&cells](int column) {
        return column >= 0 && column < static_cast<int>(cells.size()) ? cells[column] : std::string();
      };
      row.type = cell(type_column);
      row.default_value = cell(default_column);
      row.what = cell(what_column);
      rows[section + "." + key] = std::move(row);
    } else if (!line.starts_with("|")) {
      in_keys = false;
    }
  }
  return rows;
}

}  // namespace s5j::docgen
