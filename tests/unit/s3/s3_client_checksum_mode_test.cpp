// HEAD with GetOptions::checksum_mode asks for the additional checksums
// (x-amz-checksum-mode: ENABLED, signed like every header), and returns
// what came back in raw_headers; without it the header is never sent.
#include <gtest/gtest.h>

#include "s3/s3_client.h"
#include "support/fake_s3_client.h"

namespace s5j::s3 {
namespace {

using testing::FakeAnswer;
using testing::RecordedRequest;

TEST(S3ClientChecksumMode, HeadAsksForChecksumsOnlyWhenTold) {
  testing::FakeS3Client h([&](const RecordedRequest& r, int) {
    FakeAnswer a;
    a.headers = {{"ETag", "\"v1\""}, {"Content-Length", "9"}};
    if (r.header("x-amz-checksum-mode") == "ENABLED") a.headers.push_back({"x-amz-checksum-crc32c", "4waSgw=="});
    return a;
  });
  auto plain = h.client->head_object("bkt", "k");
  ASSERT_TRUE(plain.has_value()) << plain.error().describe();
  EXPECT_FALSE(http::find_header(plain->raw_headers, "x-amz-checksum-crc32c"));

  auto with = h.client->head_object("bkt", "k", {.checksum_mode = true});
  ASSERT_TRUE(with.has_value()) << with.error().describe();
  EXPECT_EQ(http::find_header(with->raw_headers, "x-amz-checksum-crc32c").value_or(""), "4waSgw==");

  const auto requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("x-amz-checksum-mode"), "");
  EXPECT_EQ(requests[1].header("x-amz-checksum-mode"), "ENABLED");
  EXPECT_NE(requests[1].header("Authorization").find("x-amz-checksum-mode"), std::string::npos);
}

}  // namespace
}  // namespace s5j::s3
