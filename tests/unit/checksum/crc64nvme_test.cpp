// CRC-64/NVME (x-amz-checksum-crc64nvme): the catalogue's check value, the
// slicing-by-8 walk against a bit-at-a-time reference, streaming in odd
// pieces, combination (FULL_OBJECT from parts), the wire form, and the
// MultiHasher selection.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "checksum/checksum_encoding.h"
#include "checksum/crc64nvme.h"
#include "checksum/multi_hasher.h"

namespace s5j::checksum {
namespace {

std::vector<unsigned char> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> v(n);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  return v;
}

// The definition, one bit at a time: reflected, init and xor-out all ones.
uint64_t reference_crc64nvme(std::span<const unsigned char> data) {
  uint64_t crc = ~uint64_t{0};
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x9A6C9329AC4BC9B5ull : crc >> 1;
  }
  return ~crc;
}

TEST(Crc64Nvme, CheckValue) {
  // The CRC catalogue's check value for CRC-64/NVME.
  EXPECT_EQ(crc64nvme_of("123456789"), 0xAE8B14860A799888ull);
  EXPECT_EQ(crc64nvme_of(""), 0u);
}

TEST(Crc64Nvme, SlicedWalkEqualsBitwiseReferenceAtEveryLength) {
  const auto data = random_bytes(300, 7);
  for (size_t n = 0; n <= data.size(); ++n) {
    const auto prefix = std::span(data).first(n);
    ASSERT_EQ(crc64nvme_of(prefix), reference_crc64nvme(prefix)) << n;
  }
}

TEST(Crc64Nvme, StreamingInOddPiecesEqualsOneShot) {
  const auto data = random_bytes(1'000'003, 8);
  Crc64Nvme c;
  for (size_t off = 0; off < data.size(); off += 4099) {
    c.update(std::span(data).subspan(off, std::min<size_t>(4099, data.size() - off)));
  }
  EXPECT_EQ(c.value(), crc64nvme_of(data));
  c.reset();
  c.update("123456789");
  EXPECT_EQ(c.value(), 0xAE8B14860A799888ull);
}

TEST(Crc64Nvme, CombineEqualsCrcOfConcatenation) {
  const auto data = random_bytes(200'000, 9);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{65536}, size_t{199'999}, size_t{200'000}}) {
    const auto a = std::span(data).first(split);
    const auto b = std::span(data).subspan(split);
    EXPECT_EQ(crc64nvme_combine(crc64nvme_of(a), crc64nvme_of(b), b.size()), crc64nvme_of(data)) << split;
  }
}

TEST(Crc64Nvme, CombineManyPartsInOrder) {
  const auto data = random_bytes(1'000'000, 10);
  uint64_t c = 0;
  for (size_t off = 0; off < data.size(); off += 123'457) {
    const auto part = std::span(data).subspan(off, std::min<size_t>(123'457, data.size() - off));
    c = crc64nvme_combine(c, crc64nvme_of(part), part.size());
  }
  EXPECT_EQ(c, crc64nvme_of(data));
}

TEST(Crc64Nvme, WireFormIsBase64OfTheBigEndianValue) {
  EXPECT_EQ(crc64_base64(0xAE8B14860A799888ull), "rosUhgp5mIg=");
  EXPECT_EQ(parse_crc64_base64("rosUhgp5mIg="), 0xAE8B14860A799888ull);
  EXPECT_EQ(parse_crc64_base64("4waSgw=="), std::nullopt);  // 4 bytes: a CRC-32's
  EXPECT_EQ(parse_crc32_base64("4waSgw=="), 0xE3069283u);
  EXPECT_EQ(parse_crc32_base64("not base64!"), std::nullopt);
}

TEST(Crc64Nvme, MultiHasherComputesItOnlyWhenSelected) {
  auto plain = MultiHasher::create();
  ASSERT_TRUE(plain.has_value());
  plain->update("123456789");
  EXPECT_FALSE(plain->finish().crc64nvme.has_value());

  auto with = MultiHasher::create({.md5 = true, .crc32c = true, .crc32 = false, .crc64nvme = true});
  ASSERT_TRUE(with.has_value());
  with->update("123456789");
  const auto sums = with->finish();
  EXPECT_EQ(sums.crc64nvme, 0xAE8B14860A799888ull);
  EXPECT_EQ(sums.crc32c, 0xE3069283u);
  with->update("123456789");
  EXPECT_EQ(with->finish().crc64nvme, 0xAE8B14860A799888ull);  // finish() starts over
}

}  // namespace
}  // namespace s5j::checksum
