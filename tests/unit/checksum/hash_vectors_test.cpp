// Known-answer tests for MD5, CRC-32C and CRC-32, streaming equivalence and
// CRC combination.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "checksum/checksum_encoding.h"
#include "checksum/crc32.h"
#include "checksum/crc32c.h"
#include "checksum/md5.h"

namespace s5j::checksum {
namespace {

std::vector<unsigned char> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> v(n);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  return v;
}

TEST(Md5, Rfc1321Vectors) {
  EXPECT_EQ(md5_hex(*md5_of("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex(*md5_of("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex(*md5_of("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex(*md5_of("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5, StreamingEqualsOneShotAndFinishRestarts) {
  const auto data = random_bytes(1'000'003, 1);
  auto md5 = Md5::create();
  ASSERT_TRUE(md5.has_value());
  for (size_t off = 0; off < data.size(); off += 4097) {
    md5->update(std::span(data).subspan(off, std::min<size_t>(4097, data.size() - off)));
  }
  EXPECT_EQ(md5->finish(), *md5_of(data));
  md5->update("abc");
  EXPECT_EQ(md5_hex(md5->finish()), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Md5, MovedFromObjectCanBeReassigned) {
  auto a = Md5::create();
  ASSERT_TRUE(a.has_value());
  Md5 b = std::move(*a);
  b.update("abc");
  *a = std::move(b);
  EXPECT_EQ(md5_hex(a->finish()), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Crc32c, CheckValue) {
  EXPECT_EQ(crc32c_of("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c_of(""), 0u);
}

TEST(Crc32c, Rfc3720Vectors) {
  // RFC 3720 B.4: 32 bytes of zeros, of 0xFF, and ascending 0..31.
  std::vector<unsigned char> zeros(32, 0), ones(32, 0xFF), inc(32);
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<unsigned char>(i);
  EXPECT_EQ(crc32c_of(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c_of(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c_of(inc), 0x46DD794Eu);
}

TEST(Crc32, CheckValue) {
  EXPECT_EQ(crc32_of("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32_of(""), 0u);
  EXPECT_EQ(crc32_of("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(Crc, StreamingInOddPiecesEqualsOneShot) {
  const auto data = random_bytes(300'001, 2);
  Crc32c c;
  Crc32 z;
  size_t off = 0, step = 1;
  while (off < data.size()) {
    const size_t n = std::min(step, data.size() - off);
    c.update(std::span(data).subspan(off, n));
    z.update(std::span(data).subspan(off, n));
    off += n;
    step = step * 3 + 1;
  }
  EXPECT_EQ(c.value(), crc32c_of(data));
  EXPECT_EQ(z.value(), crc32_of(data));
  c.reset();
  z.reset();
  c.update("123456789");
  z.update("123456789");
  EXPECT_EQ(c.value(), 0xE3069283u);
  EXPECT_EQ(z.value(), 0xCBF43926u);
}

TEST(Crc, CombineEqualsCrcOfConcatenation) {
  const auto data = random_bytes(200'000, 3);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{65536}, size_t{199'999}, size_t{200'000}}) {
    const auto a = std::span(data).first(split);
    const auto b = std::span(data).subspan(split);
    EXPECT_EQ(crc32c_combine(crc32c_of(a), crc32c_of(b), b.size()), crc32c_of(data)) << split;
  }
}

TEST(Crc, CombineManyPartsInOrder) {
  const auto data = random_bytes(1'000'000, 4);
  uint32_t c = 0;
  for (size_t off = 0; off < data.size(); off += 123'457) {
    const auto part = std::span(data).subspan(off, std::min<size_t>(123'457, data.size() - off));
    c = crc32c_combine(c, crc32c_of(part), part.size());
  }
  EXPECT_EQ(c, crc32c_of(data));
}


}  // namespace
}  // namespace s5j::checksum
