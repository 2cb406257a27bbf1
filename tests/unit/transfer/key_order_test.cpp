// Key order as S3 sorts (unsigned UTF-8 bytes) and the split keys of the
// parallel listing: always strictly between their bounds, printable, valid
// UTF-8 when the low key is.
#include "transfer/key_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace s5j::transfer {
namespace {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t j = 1; j < n; ++j)
      if ((static_cast<unsigned char>(s[i + j]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

TEST(KeyOrder, BytesCompareUnsignedAndAPrefixSortsFirst) {
  // As S3 lists them: "a" < "a/" < "a/b" < "a0" < "a~" < "a\x7f" < "aé" < "a日" < "a\xff".
  const std::vector<std::string> sorted = {"a", "a/", "a/b", "a0", "a~", "a\x7f", "a\xc3\xa9",
                                           "a\xe6\x97\xa5", "a\xff"};
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    EXPECT_TRUE(key_less(sorted[i], sorted[i + 1])) << i;
    EXPECT_FALSE(key_less(sorted[i + 1], sorted[i])) << i;
  }
  EXPECT_FALSE(key_less("a", "a"));
  // A signed char comparison would put 0xC3 before 'z'.
  EXPECT_TRUE(key_less("z", "\xc3\xa9"));
  // NUL is a byte like any other, below every other.
  EXPECT_TRUE(key_less(std::string("a\0b", 3), "a\x01"));
}

TEST(KeyOrder, BetweenIsStrictlyInsideAndPrintable) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"", std::nullopt},
      {"a", "b"},
      {"a", "a/"},
      {"a/", "a0"},
      {"obj/0000999", std::nullopt},
      {"obj/0000999", "obj/1000000"},
      {"a b", "a+b"},
      {"photos/2024/", "photos/2025/"},
      {"\xc3\xa9", "\xc3\xbc"},          // é, ü: differ in a continuation byte
      {"a", "\xc3\xa9"},                 // ASCII below, two-byte character above
      {"\xe6\x97\xa5", std::nullopt},    // 日 with no end
      {"x\xff", "y"},
      {"a\t", "a\n"},
  };
  for (const auto& [low, high] : cases) {
    auto m = key_between(low, high ? std::optional<std::string_view>(*high) : std::nullopt);
    ASSERT_TRUE(m.has_value()) << low;
    EXPECT_TRUE(key_less(low, *m)) << low << " < " << *m;
    if (high) EXPECT_TRUE(key_less(*m, *high)) << *m << " < " << *high;
    if (valid_utf8(low)) EXPECT_TRUE(valid_utf8(*m)) << *m;
    // What key_between adds to low's bytes is one printable ASCII byte.
    const auto c = static_cast<unsigned char>(m->back());
    EXPECT_GE(c, 0x20);
    EXPECT_LE(c, 0x7E);
  }
}

TEST(KeyOrder, NoKeyBetweenNeighboursOrWrongOrder) {
  EXPECT_FALSE(key_between("a", "a ").has_value());  // only control bytes fit: "a\x01"...
  EXPECT_FALSE(key_between("b", "a").has_value());
  EXPECT_FALSE(key_between("a", "a").has_value());
  EXPECT_FALSE(key_between("a/", "a").has_value());
}

TEST(KeyOrder, RandomBoundsAlwaysGiveAKeyInsideOrNone) {
  std::mt19937 random(7);
  const std::string alphabet = std::string("/ab~ +%\x7f\t") + "\xc3\xa9" + std::string(1, '\0') + "\xff";
  auto key = [&] {
    std::string k;
    const size_t n = random() % 6;
    for (size_t i = 0; i < n; ++i) k.push_back(alphabet[random() % alphabet.size()]);
    return k;
  };
  int found = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string a = key(), b = key();
    if (!key_less(a, b)) std::swap(a, b);
    const bool unbounded = random() % 5 == 0;
    auto m = key_between(a, unbounded ? std::nullopt : std::optional<std::string_view>(b));
    if (!m) continue;
    ++found;
    ASSERT_TRUE(key_less(a, *m)) << i;
    if (!unbounded) ASSERT_TRUE(key_less(*m, b)) << i;
  }
  EXPECT_GT(found, 10000);
}

TEST(KeyOrder, RepeatedHalvingOfAnUnboundedTailReachesTheKeysQuickly) {
  // Keys obj/0000000 .. obj/1999999 listed up to obj/0000999: halving the
  // tail (cursor, top) toward the cursor finds a cut inside the keys in a
  // few dozen steps, each costing the empty range above it one request.
  const std::string cursor = "obj/0000999", last = "obj/1999999";
  std::optional<std::string> high;
  int steps = 0;
  for (;; ++steps) {
    ASSERT_LT(steps, 64);
    auto m = key_between(cursor, high ? std::optional<std::string_view>(*high) : std::nullopt);
    ASSERT_TRUE(m.has_value());
    if (key_less(*m, last)) break;  // the range above the cut has keys
    high = *m;
  }
  EXPECT_LT(steps, 40);
}

TEST(KeyOrder, SpanIsLargerForRangesThatDifferEarlier) {
  EXPECT_GT(key_span("a", std::nullopt), key_span("a", std::string_view("b")));
  EXPECT_GT(key_span("a", std::string_view("c")), key_span("a", std::string_view("b")));
  EXPECT_GT(key_span("obj/1", std::string_view("obj/9")), key_span("obj/11", std::string_view("obj/12")));
  EXPECT_GT(key_span("a", std::string_view("b")), 0.0);
}

}  // namespace
}  // namespace s5j::transfer
