#include "transfer/key_order.h"

#include <algorithm>
#include <cmath>

namespace s5j::transfer {
namespace {

// Split keys are built from printable ASCII, ' ' (0x20) to '~' (0x7E):
// these bounds are one step outside it.
constexpr int kBelowPrintable = 0x1F;
constexpr int kAbovePrintable = 0x7F;

int byte_at(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

}  // namespace

bool key_less(std::string_view a, std::string_view b) {
  // string_view compares with char_traits<char>, which compares as unsigned
  // char: memcmp order, then the shorter first.
  return a < b;
}

std::optional<std::string> key_between(std::string_view low, std::optional<std::string_view> high) {
  if (high && !key_less(low, *high)) return std::nullopt;
  std::string middle;
  // While `middle` equals high's first bytes, high bounds the next byte.
  bool high_binds = high.has_value();
  for (size_t i = 0;; ++i) {
    // `middle` equals low's first i bytes throughout.
    const int lo = i < low.size() ? byte_at(low, i) : kBelowPrintable;
    if (high_binds && i >= high->size()) return std::nullopt;  // unreachable for low < high
    const int hi = high_binds ? byte_at(*high, i) : kAbovePrintable;
    const int top = std::min(hi, kAbovePrintable);
    if (lo + 1 < top) {
      // Room for a printable byte strictly between: middle > low (a larger
      // byte, or low ended) and middle < high (a smaller byte, or high no
      // longer binds).
      middle.push_back(static_cast<char>((lo + top) / 2));
      return middle;
    }
    // Only control bytes fit after a low that ended here.
    if (i >= low.size()) return std::nullopt;
    // No room at this byte: keep low's byte and look one further.
    middle.push_back(static_cast<char>(lo));
    if (lo < hi) high_binds = false;
  }
}

double key_span(std::string_view low, std::optional<std::string_view> high) {
  // Bytes as base-256 digits of a fraction; 8 digits are all a double holds.
  constexpr size_t kDigits = 8;
  if (!high) {
    double value = 0;
    for (size_t j = 0; j < kDigits && j < low.size(); ++j) value += std::ldexp(byte_at(low, j), -8 * int(j + 1));
    return 1.0 - value;
  }
  size_t d = 0;
  while (d < low.size() && d < high->size() && low[d] == (*high)[d]) ++d;
  double diff = 0;
  for (size_t j = 0; j < kDigits; ++j) {
    const int h = d + j < high->size() ? byte_at(*high, d + j) : 0;
    const int l = d + j < low.size() ? byte_at(low, d + j) : 0;
    diff += std::ldexp(h - l, -8 * int(j + 1));
  }
  return std::ldexp(diff, -8 * int(std::min<size_t>(d, 120)));
}

}  // namespace s5j::transfer
