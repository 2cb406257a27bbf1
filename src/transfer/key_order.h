// Key order as S3 lists keys: UTF-8 bytes compared as unsigned bytes, a
// key before every key it is a prefix of ("a" < "a/" < "a0" < "é" < "\xff").
// std::string's operator< is this order too (char_traits<char>::lt compares
// as unsigned char); these functions name it where the order matters, and
// pick split points for the parallel listing. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace s5j::transfer {

// True when `a` sorts before `b` in S3's listing order.
bool key_less(std::string_view a, std::string_view b);

// A key strictly between `low` and `high` (no `high`: above `low` with no
// upper bound) near the middle of the printable-ASCII key space between
// them, to split a key range that lists slowly. Bytes up to the first
// difference are kept; the middle byte is printable ASCII, so the key is
// valid UTF-8 whenever `low` is and needs no escaping beyond what a query
// parameter does anyway. Unbounded, the top is taken as the last printable
// ASCII byte: a tail whose keys all sort lower is cut further by the next
// split, halving it each time. nullopt when no such key exists (e.g.
// "a" and "a " have only control bytes between them).
std::optional<std::string> key_between(std::string_view low, std::optional<std::string_view> high);

// How much key space lies between `low` and `high` (no `high`: to the top of
// printable ASCII), as a number that orders spans by size for spans of one
// listing: larger when the keys differ earlier, then when the first
// differing bytes are further apart. Used to pick which range to split.
double key_span(std::string_view low, std::optional<std::string_view> high);

}  // namespace s5j::transfer
