// verify's verdict by the destination's additional checksum: what an ETag
// cannot prove (opaque under SSE-KMS, multipart of another layout) is
// settled by a whole-object x-amz-checksum-* equal to the CRC the ledger
// recorded over the source bytes; a different whole-object value is
// different; a composite value, or none, leaves it unproven.
#include <gtest/gtest.h>

#include "checksum/checksum_encoding.h"
#include "checksum/crc32c.h"
#include "checksum/crc64nvme.h"
#include "ops/verify_compare.h"

namespace s5j::ops {
namespace {

constexpr char kOpaque[] = "kms0e2f7a1c3b9d8e4f6a5b0c1d2e3f4";  // not hex: no digest
const uint32_t kCrc32c = checksum::crc32c_of("123456789");
const uint64_t kCrc64 = checksum::crc64nvme_of("123456789");

ledger::ObjectRecord record() {
  ledger::ObjectRecord r;
  r.key = "k";
  r.size = 9;
  r.source_etag = "0123456789abcdef0123456789abcdef-2";
  r.dest_etag = "previous-opaque-etag";
  r.crc32c = kCrc32c;
  return r;
}

DestinationObject opaque() { return DestinationObject{9, kOpaque}; }

TEST(VerifyByChecksum, WithoutAChecksumAnOpaqueChangedEtagIsUnproven) {
  const auto v = compare_metadata(record(), opaque());
  EXPECT_EQ(v.verdict, Verdict::unproven);
  EXPECT_FALSE(v.by_checksum);
  EXPECT_TRUE(checksum_may_prove(record()));
}

TEST(VerifyByChecksum, EqualCrc32cProvesTheObject) {
  auto dest = opaque();
  dest.checksum_crc32c = checksum::crc32_base64(kCrc32c);
  const auto v = compare_metadata(record(), dest);
  EXPECT_EQ(v.verdict, Verdict::ok);
  EXPECT_TRUE(v.by_checksum);
  EXPECT_NE(v.detail.find("x-amz-checksum-crc32c"), std::string::npos) << v.detail;
}

TEST(VerifyByChecksum, EqualCrc64NvmeProvesTheObject) {
  auto r = record();
  r.crc64nvme = kCrc64;
  auto dest = opaque();
  dest.checksum_crc64nvme = "rosUhgp5mIg=";  // 0xAE8B14860A799888, the check value
  const auto v = compare_metadata(r, dest);
  EXPECT_EQ(v.verdict, Verdict::ok);
  EXPECT_TRUE(v.by_checksum);
  EXPECT_NE(v.detail.find("x-amz-checksum-crc64nvme"), std::string::npos) << v.detail;
}

TEST(VerifyByChecksum, ADifferentWholeObjectChecksumIsDifferent) {
  auto dest = opaque();
  dest.checksum_crc32c = checksum::crc32_base64(kCrc32c ^ 1);
  const auto v = compare_metadata(record(), dest);
  EXPECT_EQ(v.verdict, Verdict::different);
  EXPECT_TRUE(v.by_checksum);
}

TEST(VerifyByChecksum, ACompositeChecksumProvesNothing) {
  auto dest = opaque();
  dest.checksum_crc32c = "AAAAAA==-2";  // the CRC of the part CRCs
  EXPECT_EQ(compare_metadata(record(), dest).verdict, Verdict::unproven);
}

TEST(VerifyByChecksum, AChecksumOfAnAlgorithmNotRecordedProvesNothing) {
  auto dest = opaque();
  dest.checksum_crc64nvme = "rosUhgp5mIg=";  // the record has no CRC-64/NVME
  EXPECT_EQ(compare_metadata(record(), dest).verdict, Verdict::unproven);
  auto none = record();
  none.crc32c.reset();
  EXPECT_FALSE(checksum_may_prove(none));
}

TEST(VerifyByChecksum, SizeAndRecordedEtagStillComeFirst) {
  auto dest = opaque();
  dest.checksum_crc32c = checksum::crc32_base64(kCrc32c);
  dest.size = 10;
  EXPECT_EQ(compare_metadata(record(), dest).verdict, Verdict::different);
  auto same = DestinationObject{9, "previous-opaque-etag"};
  const auto v = compare_metadata(record(), same);
  EXPECT_EQ(v.verdict, Verdict::ok);
  EXPECT_FALSE(v.by_checksum);
}

}  // namespace
}  // namespace s5j::ops
