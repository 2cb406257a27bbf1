// The table of config.yaml keys, shared by the files of the loader (not a
// public header: only src/config/ includes it).
//
// Every key is one row: its section, name, type, the function that checks
// and stores its value, and for an alias the setting it stands for. Parsing
// (key_walker), the unknown-key check with its "did you mean", the
// duplicate/alias check and the secret scrubbing (secret_scrub) all read the
// same rows; docs/config.md documents them. The rows live beside their rules:
// side_keys.cpp (source/destination), legacy_keys.cpp (the original
// toolset's `local` and `transfer_settings`) and settings_keys.cpp (the
// rest).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "config/config.h"

namespace s5j::config::detail {

// `destination`: keys only the destination section takes (the walker looks
// them up in that section besides the `side` keys both sides share).
enum class Section : uint8_t {
  top, side, destination, job, transfer, staging, ledger, log, metrics, local, transfer_settings
};

enum class Type : uint8_t {
  section,     // a mapping of further keys
  string,      // one scalar
  secret,      // one scalar that no message may repeat
  secret_url,  // a URL that may carry a password: never repeated whole
  strings,     // a list of scalars, or one scalar
  boolean,
  count,      // whole number
  size,       // bytes: number or "16MiB"
  seconds,    // number, fractions allowed
  bandwidth,  // bytes/s: number, "100MiB", "800Mbit"
  ignored,    // accepted legacy key with no effect (a warning says so)
  mapping,    // name: value lines (a map of scalars)
  word_or_mapping,  // one scalar, or name: value lines
};

struct Value {
  int line = 0;
  std::string name;  // the key as written, for messages
  std::string text;
  std::vector<std::string> list;
  bool flag = false;
  int64_t count = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  // mapping / word_or_mapping given as a map: its entries in file order.
  bool is_map = false;
  std::vector<std::pair<std::string, std::string>> entries;
};

struct Ctx {
  Config& cfg;
  const std::string& file;
  SideConfig* side = nullptr;
  // Canonical setting ("source.prefix") -> where it was first set, so that a
  // key and its alias (or the same key twice) cannot silently override.
  std::map<std::string, std::pair<int, std::string>> seen;
};

// An apply function checks a value against its key's rules and stores it.
// It returns the problem ("must be ...") without file, line or key name:
// the walker adds those, so every message has the same shape.
using Apply = std::optional<std::string> (*)(Ctx&, const Value&);
using Problem = std::optional<std::string>;

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

inline std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

struct Key {
  Section section;
  std::string_view name;
  Type type;
  Apply apply = nullptr;
  // The key of the same section that `name` is another spelling of; such
  // keys are not listed as valid keys (their canonical name is).
  std::string_view alias_of = {};
  // The setting the value lands in, when not "<section>.<canonical name>"
  // (a legacy key whose modern home is in another section): a key and
  // another key with the same path cannot both be given.
  std::string_view path = {};
  Section child = Section::top;    // Type::section: the keys inside
  int side = 0;                    // Type::section: 1 source, 2 destination
};

// Sets a side's endpoints from a list of URLs ("no_endpoint" alone: the AWS
// default, filled in after the walk); normalised, duplicates dropped.
Problem set_endpoints(SideConfig& side, const std::vector<std::string>& urls);

// The rows of each part, and all of them in one table.
std::span<const Key> side_keys();
std::span<const Key> settings_keys();
std::span<const Key> legacy_keys();
std::span<const Key> destination_keys();

// The rules between destination keys (sse_kms_key_id needs sse: aws:kms),
// checked after the walk: the problem (a whole message) and its line in
// `line`, or nullopt when they hold.
Problem check_landing(const Ctx& ctx, int& line);
const std::vector<Key>& all_keys();

// "transfer", "staging", ... ("" for the top level; "source" for the side
// section, whose real name the walker knows).
std::string_view section_name(Section s);
// What a value of this type looks like, for "must be ..." messages.
std::string type_description(Type t);
inline bool is_secret_type(Type t) { return t == Type::secret || t == Type::secret_url; }

// Matches `text` (any case) against `choices`, or says which are valid.
template <class Enum, size_t N>
Problem pick(std::string_view text, const std::pair<std::string_view, Enum> (&choices)[N], Enum& out) {
  std::string valid;
  for (const auto& [name, value] : choices) {
    if (iequals(text, name)) {
      out = value;
      return std::nullopt;
    }
    valid += (valid.empty() ? "" : ", ") + std::string(name);
  }
  return "must be one of " + valid + ", got " + in_quotes(text);
}

}  // namespace s5j::config::detail
