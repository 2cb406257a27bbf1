#include "checksum/checksum_encoding.h"

#include <gtest/gtest.h>

#include "checksum/crc32.h"
#include "checksum/crc32c.h"

namespace s5j::checksum {
namespace {

TEST(ChecksumEncoding, CrcHeadersAreBase64OfBigEndianBytes) {
  EXPECT_EQ(crc32_base64(crc32c_of("123456789")), "4waSgw==");  // E3 06 92 83
  EXPECT_EQ(crc32_base64(crc32_of("123456789")), "y/Q5Jg==");   // CB F4 39 26
  EXPECT_EQ(crc32_base64(0), "AAAAAA==");
}

TEST(ChecksumEncoding, ContentMd5IsBase64OfDigest) {
  // AWS documentation example: MD5("") in base64.
  EXPECT_EQ(md5_base64(*md5_of("")), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST(ChecksumEncoding, RoundTrips) {
  const auto d = *md5_of("round trip");
  EXPECT_EQ(parse_md5_hex(md5_hex(d)), d);
  EXPECT_EQ(parse_md5_hex("D41D8CD98F00B204E9800998ECF8427E"), *md5_of(""));
}

TEST(ChecksumEncoding, RejectsMalformedValues) {
  EXPECT_FALSE(parse_md5_hex("d41d8cd98f00b204e9800998ecf8427"));   // 31 digits
  EXPECT_FALSE(parse_md5_hex("g41d8cd98f00b204e9800998ecf8427e"));  // not hex
}

}  // namespace
}  // namespace s5j::checksum
