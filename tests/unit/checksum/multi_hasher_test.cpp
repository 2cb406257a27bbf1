#include "checksum/multi_hasher.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "checksum/checksum_encoding.h"

namespace s5j::checksum {
namespace {

TEST(MultiHasher, OnePassMatchesEachAlgorithm) {
  std::mt19937 rng(7);
  std::vector<unsigned char> data(777'777);
  for (auto& b : data) b = static_cast<unsigned char>(rng());
  auto h = MultiHasher::create({.md5 = true, .crc32c = true, .crc32 = true});
  ASSERT_TRUE(h.has_value());
  // Uneven pieces, some larger than the internal block.
  for (size_t off = 0, step = 100; off < data.size(); off += step, step = step * 2 + 3) {
    h->update(std::span(data).subspan(off, std::min(step, data.size() - off)));
  }
  EXPECT_EQ(h->bytes(), data.size());
  const Checksums c = h->finish();
  EXPECT_EQ(c.bytes, data.size());
  EXPECT_EQ(c.md5, *md5_of(data));
  EXPECT_EQ(c.crc32c, crc32c_of(data));
  EXPECT_EQ(c.crc32, crc32_of(data));
  EXPECT_EQ(c.content_md5(), md5_base64(*md5_of(data)));
}

TEST(MultiHasher, UnselectedAlgorithmsAreAbsent) {
  auto h = MultiHasher::create({.md5 = false, .crc32c = true, .crc32 = false});
  ASSERT_TRUE(h.has_value());
  h->update("123456789");
  const Checksums c = h->finish();
  EXPECT_FALSE(c.md5.has_value());
  EXPECT_FALSE(c.crc32.has_value());
  EXPECT_EQ(c.crc32c, 0xE3069283u);
  EXPECT_EQ(c.content_md5(), "");
}

TEST(MultiHasher, FinishStartsOver) {
  auto h = MultiHasher::create();
  ASSERT_TRUE(h.has_value());
  h->update("first stream");
  (void)h->finish();
  h->update("123456789");
  const Checksums c = h->finish();
  EXPECT_EQ(c.bytes, 9u);
  EXPECT_EQ(c.crc32c, 0xE3069283u);
  EXPECT_EQ(c.md5, *md5_of("123456789"));
}

}  // namespace
}  // namespace s5j::checksum
