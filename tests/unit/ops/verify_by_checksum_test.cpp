// checksum_algorithm end to end over the in-memory S3 server, which keeps
// and checks additional checksums as AWS does (BadDigest on a wrong one,
// FULL_OBJECT for multipart uploads, answered to HEAD with checksum mode):
// the copier sends them where the bytes are in hand (buffered PUT, hashed
// parts, the whole object's at Complete), records the CRC, and verify then
// proves objects whose ETag changed into one that proves nothing (an
// SSE-KMS rewrite) by the destination's checksum, finds damage that keeps
// the ETag, and leaves unproven what went without a checksum (a streamed
// PUT).
#include <gtest/gtest.h>

#include "checksum/crc64nvme.h"
#include "ops/destination_verifier.h"
#include "transfer/object_copier.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::ops {
namespace {

using s3::ChecksumAlgorithm;
using transfer::kMiB;
using transfer::test_bytes;

constexpr char kOpaqueEtag[] = "sse-kms-0f1e2d3c4b5a69788796a5b4c3d2e1f0";

class VerifyByChecksumTest : public transfer::InMemoryFixture,
                             public ::testing::WithParamInterface<ChecksumAlgorithm> {
 protected:
  void copy(const std::string& key) {
    transfer::CopierSettings s;
    s.source_bucket = "src";
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    s.checksum_algorithm = GetParam();
    transfer::ObjectCopier copier(s, *client_, *client_, *ledger_, budget_, pool_, *events_);
    const auto out = copier.copy(listed(key));
    ASSERT_EQ(out.kind, transfer::OutcomeKind::verified) << key << ": " << out.update.error.value_or("");
    auto t = ledger::Transition::of(record(key), ledger::ObjectState::verified);
    t.update = out.update;
    ASSERT_TRUE(ledger_->queue(t).has_value());
    flush();
  }
  std::string header() const {
    return GetParam() == ChecksumAlgorithm::crc32c ? "x-amz-checksum-crc32c" : "x-amz-checksum-crc64nvme";
  }
  // The checksum the destination keeps for `key` ("" when none).
  std::string kept(const std::string& key) {
    const auto stored = server_->object("dst", key);  // a copy: kept alive for the loop
    for (const auto& h : stored->checksums)
      if (h.name == header()) return h.value;
    return {};
  }
  VerifyReport verify() {
    VerifySettings settings{.source_bucket = "src", .destination_bucket = "dst", .workers = 2};
    DestinationVerifier verifier(settings, *client_, *client_, ledger_.get(), job(), *events_);
    auto report = verifier.run();
    EXPECT_TRUE(report.has_value()) << report.error().describe();
    return report ? *report : VerifyReport{};
  }
};

TEST_P(VerifyByChecksumTest, SentWhereTheBytesAreInHandAndVerifyProvesByThem) {
  server_->put("src", "small", test_bytes(1 * kMiB, 1));            // buffered PUT
  server_->put("src", "large", test_bytes(12 * kMiB + 5, 2));       // hashed parts
  server_->put_multipart("src", "mirrored", test_bytes(11 * kMiB, 3), 5 * kMiB);  // streamed parts
  server_->put("src", "streamed", test_bytes(6 * kMiB, 4));         // streamed PUT: no checksum
  for (const char* key : {"small", "large", "mirrored", "streamed"}) copy(key);

  // The server checked every value it was sent (BadDigest otherwise) and
  // keeps the CRC of what it stored.
  EXPECT_FALSE(kept("small").empty());
  EXPECT_FALSE(kept("large").empty());
  EXPECT_TRUE(kept("streamed").empty());
  // Streamed parts go without; the whole object's CRC, combined from the
  // parts' computed in flight, goes at Complete (FULL_OBJECT).
  EXPECT_FALSE(kept("mirrored").empty());
  const auto small = record("small");
  if (GetParam() == ChecksumAlgorithm::crc64nvme) {
    EXPECT_EQ(small.crc64nvme, checksum::crc64nvme_of(server_->object("src", "small")->data));
    // Also where it was not sent (a streamed PUT): AWS keeps one of every object.
    for (const char* key : {"large", "mirrored", "streamed"})
      EXPECT_EQ(record(key).crc64nvme, checksum::crc64nvme_of(server_->object("src", key)->data)) << key;
  } else {
    EXPECT_FALSE(small.crc64nvme.has_value());
  }

  auto clean = verify();
  EXPECT_EQ(clean.ok, 4u);
  EXPECT_EQ(clean.ok_by_checksum, 0u);  // the ETags recorded still stand

  // Every object rewritten with an ETag that proves nothing.
  for (const char* key : {"small", "large", "mirrored", "streamed"}) server_->set_etag("dst", key, kOpaqueEtag);
  const auto report = verify();
  const uint64_t with_checksum = 3;  // all but the streamed PUT
  EXPECT_EQ(report.ok, with_checksum);
  EXPECT_EQ(report.ok_by_checksum, with_checksum);
  EXPECT_EQ(report.unproven, 4 - with_checksum);
  EXPECT_EQ(report.different, 0u);

  // Damage the ETag does not show: the destination's checksum does.
  std::string damaged = server_->object("dst", "large")->data;
  damaged[7 * kMiB] ^= 0x01;
  server_->set_data("dst", "large", damaged);
  const auto found = verify();
  EXPECT_EQ(found.different, 1u);
  EXPECT_EQ(found.reopened, 1u);
  EXPECT_EQ(found.samples.different, std::vector<std::string>{"large"});
  EXPECT_EQ(record("large").state, ledger::ObjectState::pending);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, VerifyByChecksumTest,
                         ::testing::Values(ChecksumAlgorithm::crc32c, ChecksumAlgorithm::crc64nvme),
                         [](const auto& info) { return info.param == ChecksumAlgorithm::crc32c ? "crc32c" : "crc64nvme"; });

}  // namespace
}  // namespace s5j::ops
