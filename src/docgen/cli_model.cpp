#include "docgen/cli_model.h"

#include <algorithm>

#include "base/strings.h"

namespace s5j::docgen {
namespace {

// CLI11 writes an IsMember check into the type name: "TEXT:{csv,jsonl}".
std::vector<std::string> choices_of(const std::string& type_name) {
  const auto open = type_name.find('{');
  const auto close = type_name.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> out;
  std::string item;
  for (char ch : type_name.substr(open + 1, close - open - 1)) {
    if (ch == ',') {
      out.push_back(item);
      item.clear();
    } else if (ch != ' ') {
      item += ch;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

// What the value is called in the synopsis: FILE for a path (but DEV for a
// device), the choices of an IsMember check, else the declared type name.
std::string value_name_of(const CLI::Option& opt, bool names_a_file, const std::vector<std::string>& choices) {
  if (names_a_file && opt.get_type_name() != "DEV") return "FILE";
  if (!choices.empty()) return join(choices, "|");
  std::string type = opt.get_type_name();
  type = type.substr(0, type.find(':'));
  if (type == "FLOAT") return "SECONDS";
  if (type == "INT" || type == "UINT") return "N";
  return type.empty() ? "VALUE" : type;
}

OptionModel read_option(const CLI::Option& opt) {
  OptionModel m;
  m.positional = opt.get_positional() && !opt.nonpositional();
  if (m.positional) {
    m.names.push_back(opt.get_name(true));
  } else {
    for (const auto& s : opt.get_snames()) m.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames()) m.names.push_back("--" + l);
  }
  m.takes_value = opt.get_items_expected_max() > 0;
  m.description = opt.get_description();
  const auto& lnames = opt.get_lnames();
  // A path: --config and --output by name, others by their declared value
  // name (--fstab FILE, --device DEV).
  const std::string type = opt.get_type_name().substr(0, opt.get_type_name().find(':'));
  m.names_a_file = m.takes_value && (type == "FILE" || type == "DEV" ||
                                     std::any_of(lnames.begin(), lnames.end(), [](const std::string& n) {
                                       return n == "config" || n == "output";
                                     }));
  m.names_a_config = m.names_a_file && std::find(lnames.begin(), lnames.end(), "config") != lnames.end();
  m.choices = choices_of(opt.get_type_name());
  if (m.takes_value) m.value_name = value_name_of(opt, m.names_a_file, m.choices);
  m.default_value = opt.get_default_str();
  return m;
}

CommandModel read_command(const CLI::App& app, std::vector<std::string> path) {
  CommandModel m;
  m.path = std::move(path);
  m.description = app.get_description();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt == app.get_help_ptr() || opt == app.get_help_all_ptr()) continue;
    m.options.push_back(read_option(*opt));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    auto sub_path = m.path;
    sub_path.push_back(sub->get_name());
    m.subcommands.push_back(read_command(*sub, std::move(sub_path)));
  }
  return m;
}

}  // namespace

CommandModel read_cli(const CLI::App& app) { return read_command(app, {}); }

}  // namespace s5j::docgen
