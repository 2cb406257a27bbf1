#include "config/key_walker.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <expected>

#include "base/strings.h"
#include "config/units.h"

namespace s5j::config::detail {

std::string node_kind(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a section of keys";
  return "a single value";
}

int line_of(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

namespace {

using S = Section;
using T = Type;

// ---------------------------------------------------------------------------
// Did-you-mean for unknown keys.

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                                std::tolower(static_cast<unsigned char>(b[j - 1]))
                                            ? 0
                                            : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string unknown_key_message(Section section, std::string_view where, const std::string& name) {
  std::string msg = "unknown key " + in_quotes(name) +
                    (section == S::top ? std::string(" at the top level") : " in " + std::string(where));
  // A landing option given on the source: say where it goes rather than
  // guess a source key it might be a misspelling of.
  if (section == S::side) {
    for (const Key& k : all_keys()) {
      if (k.section == S::destination && k.name == name)
        return msg + " (" + in_quotes(name) + " says how objects land: it belongs in section 'destination')";
    }
  }
  const Key* best = nullptr;
  size_t best_distance = 0;
  for (const Key& k : all_keys()) {
    if (k.section != section) continue;
    const size_t d = edit_distance(name, k.name);
    if (best == nullptr || d < best_distance) {
      best = &k;
      best_distance = d;
    }
  }
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, name.size() / 3));
  if (best != nullptr && best_distance <= limit) return msg + " (did you mean " + in_quotes(best->name) + "?)";
  for (const Key& k : all_keys()) {
    if (k.section != section && k.name == name) {
      const std::string home =
          k.section == S::side ? std::string("source/destination") : std::string(section_name(k.section));
      return msg + " (" + in_quotes(name) + " belongs " +
             (k.section == S::top ? std::string("at the top level") : "in section " + in_quotes(home)) + ")";
    }
  }
  std::string valid;
  for (const Key& k : all_keys()) {
    if (k.section == section && k.alias_of.empty()) valid += (valid.empty() ? "" : ", ") + std::string(k.name);
  }
  return msg + " (valid keys: " + valid + ")";
}

// ---------------------------------------------------------------------------
// The walker: one pass over the document, driven by the key table.

bool is_unset(const YAML::Node& n) {
  // Absent, "key:" with nothing, or "" as left in the original's template.
  return n.IsNull() || (n.IsScalar() && trim(n.Scalar()).empty()) || (n.IsSequence() && n.size() == 0);
}

// A mapping key's value: name: value lines of scalars (or, for
// word_or_mapping, one scalar).
std::expected<Value, std::string> convert_mapping(const Key& key, const YAML::Node& node, const std::string& what) {
  Value v;
  v.line = line_of(node);
  if (node.IsScalar() && key.type == T::word_or_mapping) {
    v.text = std::string(trim(node.Scalar()));
    return v;
  }
  if (!node.IsMap()) return std::unexpected(what + " must be " + type_description(key.type) + ", not " + node_kind(node));
  v.is_map = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node name = it->first;
    const YAML::Node value = it->second;
    if (!name.IsScalar()) return std::unexpected(what + " must have plain names, not " + node_kind(name));
    if (value.IsNull()) {
      v.entries.emplace_back(name.Scalar(), "");
      continue;
    }
    if (!value.IsScalar()) {
      return std::unexpected(what + "." + name.Scalar() + " must be a single value, not " + node_kind(value) +
                             " (quote it if it holds ':' or starts with '[' or '{')");
    }
    v.entries.emplace_back(name.Scalar(), value.Scalar());
  }
  return v;
}

std::expected<Value, std::string> convert(const Key& key, const YAML::Node& node, const std::string& what) {
  if (key.type == T::mapping || key.type == T::word_or_mapping) return convert_mapping(key, node, what);
  Value v;
  v.line = line_of(node);
  if (key.type == T::strings) {
    if (node.IsMap())
      return std::unexpected(what + " must be " + type_description(key.type) + ", not " + node_kind(node));
    if (node.IsScalar()) {
      v.list.emplace_back(trim(node.Scalar()));
      return v;
    }
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) {
        return std::unexpected(what + " must be a list of strings, but an item is " +
                               (item.IsNull() ? std::string("empty") : node_kind(item)));
      }
      const std::string_view s = trim(item.Scalar());
      if (s.empty()) return std::unexpected(what + " has an empty item; remove it");
      v.list.emplace_back(s);
    }
    return v;
  }
  if (!node.IsScalar()) {
    // Never echo the value: for secrets it is the secret itself.
    return std::unexpected(what + " must be " + type_description(key.type) + ", not " + node_kind(node) +
                           (is_secret_type(key.type) ? " (value not shown)" : ""));
  }
  const std::string& raw = node.Scalar();
  v.text = is_secret_type(key.type) ? raw : std::string(trim(raw));
  switch (key.type) {
    case T::boolean: {
      const std::string s = to_lower(v.text);
      if (s == "true" || s == "yes" || s == "on")
        v.flag = true;
      else if (s == "false" || s == "no" || s == "off")
        v.flag = false;
      else
        return std::unexpected(what + " must be true or false, got " + in_quotes(v.text));
      break;
    }
    case T::count: {
      const std::string& s = v.text;
      const size_t digits_from = (s[0] == '-' || s[0] == '+') ? 1 : 0;
      const bool digits = s.size() > digits_from && s.size() - digits_from <= 12 &&
                          s.find_first_not_of("0123456789", digits_from) == std::string::npos;
      if (!digits) return std::unexpected(what + " must be a whole number, got " + in_quotes(s));
      v.count = std::stoll(s);
      break;
    }
    case T::size:
    case T::bandwidth: {
      auto bytes = key.type == T::size ? parse_byte_size(v.text) : parse_bandwidth(v.text);
      if (!bytes) return std::unexpected(what + " " + bytes.error());
      v.bytes = *bytes;
      break;
    }
    case T::seconds: {
      char* end = nullptr;
      errno = 0;
      v.seconds = std::strtod(v.text.c_str(), &end);
      if (end == v.text.c_str() || *end != '\0' || errno != 0 || !std::isfinite(v.seconds) ||
          v.text.find_first_of("xXnN") != std::string::npos) {  // no hex, inf or nan
        return std::unexpected(what + " must be a number of seconds (like 10 or 2.5), got " + in_quotes(v.text));
      }
      break;
    }
    default:
      break;
  }
  return v;
}

class Walker {
 public:
  explicit Walker(Ctx& ctx) : ctx_(ctx) {}

  // Walks every key, also past problems, so that one run reports them all
  // (a typo-ed key does not hide the next one).
  void walk(const YAML::Node& map, Section section) {
    const std::string where = section == S::side ? ctx_.side->name : std::string(section_name(section));
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key_node = it->first;  // copies: the iterator hands out temporaries
      const YAML::Node value = it->second;
      const int line = line_of(key_node);
      if (!key_node.IsScalar()) {
        fail(line, "keys must be plain names" + (where.empty() ? std::string() : " in " + where));
        continue;
      }
      const std::string name = key_node.Scalar();
      const Key* key = find(section, name);
      // The destination also takes the keys of how objects land.
      if (key == nullptr && section == S::side && ctx_.side == &ctx_.cfg.destination)
        key = find(S::destination, name);
      if (key == nullptr) {
        fail(line, unknown_key_message(section, where, name));
        continue;  // its value (or the keys under it) mean nothing here
      }
      const std::string what = where.empty() ? name : where + "." + name;

      // A placeholder ("" or nothing, as the original's template had) sets
      // nothing, so it neither counts as given nor clashes with an alias.
      if (key->type != T::section && is_unset(value)) continue;
      const std::string path = canonical_path(*key, where);
      if (auto [it_seen, fresh] = ctx_.seen.try_emplace(path, line, what); !fresh) {
        const auto& [first_line, first_what] = it_seen->second;
        fail(line, first_what == what
                       ? what + " is given twice (first on line " + std::to_string(first_line) + "); keep one"
                       : what + " sets the same thing as " + first_what + " on line " + std::to_string(first_line) +
                             "; keep one");
        continue;
      }

      if (key->type == T::section) {
        if (value.IsNull()) continue;  // "local:" with nothing under it
        if (!value.IsMap()) {
          fail(line, what + " must be " + type_description(T::section) + ", not " + node_kind(value));
          continue;
        }
        SideConfig* saved = ctx_.side;
        if (key->side == 1) ctx_.side = &ctx_.cfg.source;
        if (key->side == 2) ctx_.side = &ctx_.cfg.destination;
        walk(value, key->child);
        ctx_.side = saved;
        continue;
      }
      auto converted = convert(*key, value, what);
      if (!converted) {
        fail(line, converted.error());
        continue;
      }
      converted->line = line;
      converted->name = name;
      if (auto problem = key->apply(ctx_, *converted)) fail(line, what + " " + *problem);
    }
  }

  std::vector<Failure> take_failures() { return std::move(failures_); }

 private:
  static const Key* find(Section section, std::string_view name) {
    for (const Key& k : all_keys()) {
      if (k.section == section && k.name == name) return &k;
    }
    return nullptr;
  }

  static std::string canonical_path(const Key& key, const std::string& where) {
    if (!key.path.empty()) return std::string(key.path);
    const std::string_view canonical = key.alias_of.empty() ? key.name : key.alias_of;
    return where.empty() ? std::string(canonical) : where + "." + std::string(canonical);
  }

  void fail(int line, std::string message) { failures_.push_back(Failure{line, std::move(message)}); }

  Ctx& ctx_;
  std::vector<Failure> failures_;
};

}  // namespace

std::vector<Failure> walk_section(Ctx& ctx, const YAML::Node& map, Section section) {
  Walker walker(ctx);
  walker.walk(map, section);
  return walker.take_failures();
}

}  // namespace s5j::config::detail
