#include "config/units.h"

#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include "base/strings.h"

namespace s5j::config {
namespace {

struct Unit {
  std::string_view name;
  bool ignore_case;   // IEC and bit units are unambiguous in any case
  long double bytes;  // bytes per unit (bits are 1/8)
  bool bits;
};

// SI byte units need an upper-case 'B': a lower-case 'b' usually means bits
// in networking ("100Mb"), so those spellings are refused, not guessed.
constexpr std::array kUnits{
    Unit{"B", false, 1.0L, false},
    Unit{"kB", false, 1e3L, false},
    Unit{"KB", false, 1e3L, false},
    Unit{"MB", false, 1e6L, false},
    Unit{"GB", false, 1e9L, false},
    Unit{"TB", false, 1e12L, false},
    Unit{"KiB", true, 1024.0L, false},
    Unit{"MiB", true, 1024.0L * 1024, false},
    Unit{"GiB", true, 1024.0L * 1024 * 1024, false},
    Unit{"TiB", true, 1024.0L * 1024 * 1024 * 1024, false},
    Unit{"bit", true, 1.0L / 8, true},
    Unit{"Kbit", true, 1e3L / 8, true},
    Unit{"Mbit", true, 1e6L / 8, true},
    Unit{"Gbit", true, 1e9L / 8, true},
    Unit{"Tbit", true, 1e12L / 8, true},
};

const Unit* find_unit(std::string_view name, bool allow_bits) {
  for (const Unit& u : kUnits) {
    if (u.bits && !allow_bits) continue;
    if (u.ignore_case ? iequals(u.name, name) : u.name == name) return &u;
  }
  return nullptr;
}

std::string unit_hint(std::string_view unit, bool allow_bits) {
  std::string u(unit);
  if (u.size() == 1 && std::string_view("kKmMgGtT").find(u[0]) != std::string_view::npos) {
    const char p = static_cast<char>(std::toupper(static_cast<unsigned char>(u[0])));
    return "unit '" + u + "' is ambiguous: write '" + p + "iB' (powers of 1024) or '" + p + "B' (powers of 1000)" +
           (allow_bits ? std::string(", or '") + p + "bit' for bits" : std::string());
  }
  if (u.size() == 2 && (u[1] == 'b' || u[1] == 'B') &&
      std::string_view("kKmMgGtT").find(u[0]) != std::string_view::npos) {
    const char p = static_cast<char>(std::toupper(static_cast<unsigned char>(u[0])));
    return "unit '" + u + "' is ambiguous: write '" + p + "B' for bytes or '" + p + "iB' for powers of 1024" +
           (allow_bits ? std::string(", or '") + p + "bit' for bits" : std::string());
  }
  if (!allow_bits && iequals(u.substr(u.size() >= 3 ? u.size() - 3 : 0), "bit")) {
    return "bit units are only for bandwidths; write the size in bytes (e.g. '16MiB')";
  }
  return "unknown unit '" + u + "' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB" +
         (allow_bits ? std::string(", or Kbit, Mbit, Gbit for bit rates)") : std::string(")"));
}

std::expected<uint64_t, std::string> parse_amount(std::string_view text, bool allow_bits) {
  const std::string_view example =
      allow_bits ? "'100MiB', '800Mbit' or a number of bytes per second" : "'16MiB', '64MB' or a number of bytes";
  std::string_view s = trim(text);
  if (s.empty()) return std::unexpected("is empty; write a size such as " + std::string(example));
  if (s.front() == '-') return std::unexpected("must not be negative, got '" + std::string(s) + "'");
  if (s.front() == '+') s.remove_prefix(1);
  size_t i = 0;
  bool digits = false;
  bool dot = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] == '.' && !dot))) {
    if (s[i] == '.')
      dot = true;
    else
      digits = true;
    ++i;
  }
  if (!digits) {
    return std::unexpected("must be a size such as " + std::string(example) + ", got '" + std::string(text) + "'");
  }
  const std::string number(s.substr(0, i));
  std::string_view unit = trim(s.substr(i));
  if (allow_bits && unit.size() >= 2 && unit.substr(unit.size() - 2) == "/s") {
    unit = trim(unit.substr(0, unit.size() - 2));
  }
  long double per_unit = 1.0L;
  if (!unit.empty()) {
    const Unit* u = find_unit(unit, allow_bits);
    if (u == nullptr) return std::unexpected(unit_hint(unit, allow_bits) + ", got '" + std::string(text) + "'");
    per_unit = u->bytes;
  } else if (dot) {
    return std::unexpected("a fractional number needs a unit (e.g. '1.5GiB'), got '" + std::string(text) + "'");
  }
  if (unit.empty()) {
    // Plain integers are exact; going through long double could round.
    uint64_t exact = 0;
    for (char c : number) {
      const auto digit = static_cast<uint64_t>(c - '0');
      if (exact > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        return std::unexpected("is too large, got '" + std::string(text) + "'");
      }
      exact = exact * 10 + digit;
    }
    return exact;
  }
  const long double value = std::strtold(number.c_str(), nullptr) * per_unit;
  if (!std::isfinite(value) || value >= 18446744073709551615.0L) {
    return std::unexpected("is too large, got '" + std::string(text) + "'");
  }
  return static_cast<uint64_t>(std::floor(value));
}

}  // namespace

std::expected<uint64_t, std::string> parse_byte_size(std::string_view text) { return parse_amount(text, false); }
std::expected<uint64_t, std::string> parse_bandwidth(std::string_view text) { return parse_amount(text, true); }

}  // namespace s5j::config
