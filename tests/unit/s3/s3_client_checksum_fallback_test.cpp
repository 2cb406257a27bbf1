// A destination that refuses additional checksums (501, or 400 with
// NotImplemented / InvalidArgument / InvalidRequest) gets the request again
// without them, and none for the rest of the run; the refusal is reported
// once (RequestEvent::feature_refused). A BadDigest is no refusal.
#include <gtest/gtest.h>

#include <atomic>

#include "s3/s3_client.h"
#include "support/fake_s3_client.h"

namespace s5j::s3 {
namespace {

using testing::FakeAnswer;
using testing::RecordedRequest;

bool has_checksum(const RecordedRequest& r) {
  for (const auto& [name, value] : r.headers)
    if (name.find("x-amz-checksum") != std::string::npos || name.find("x-amz-sdk-checksum") != std::string::npos)
      return true;
  return r.body.find("ChecksumCRC32C") != std::string::npos;
}

TEST(S3ClientChecksumFallback, RefusedOnceThenNeverSent) {
  testing::FakeS3Client h([](const RecordedRequest& r, int) {
    if (has_checksum(r)) return testing::s3_error_answer(400, "InvalidArgument", "x-amz-checksum-crc32c");
    FakeAnswer a;
    if (r.method == "POST" && r.url.find("?uploads") != std::string::npos)
      a.body = "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>";
    else if (r.method == "POST")
      a.body = "<CompleteMultipartUploadResult><ETag>\"abc-1\"</ETag></CompleteMultipartUploadResult>";
    else
      a.headers = {{"ETag", "\"e\""}};
    return a;
  });
  int refusals = 0;
  std::string feature;
  h.client->set_observer([&](const RequestEvent& e) {
    if (!e.feature_refused.empty()) {
      ++refusals;
      feature = e.feature_refused;
    }
  });
  const AdditionalChecksum crc{ChecksumAlgorithm::crc32c, "4waSgw=="};
  BodySource body{.size = 9, .data = "123456789", .checksum = crc};
  EXPECT_TRUE(h.client->honours_additional_checksums());
  ASSERT_TRUE(h.client->put_object("b", "k", body).has_value());
  EXPECT_FALSE(h.client->honours_additional_checksums());
  EXPECT_EQ(refusals, 1);
  EXPECT_EQ(feature, "x-amz-checksum-crc32c");
  auto requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(has_checksum(requests[0]));
  EXPECT_FALSE(has_checksum(requests[1]));

  // From now on: no checksum on parts, creates or completes, no new report.
  PutOptions create;
  create.checksum_algorithm = ChecksumAlgorithm::crc32c;
  ASSERT_TRUE(h.client->create_multipart_upload("b", "k", create).has_value());
  ASSERT_TRUE(h.client->upload_part("b", "k", "u", 1, body).has_value());
  ASSERT_TRUE(h.client->complete_multipart_upload("b", "k", "u", {{1, "e", crc}}, crc).has_value());
  requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 5u);
  for (size_t i = 2; i < requests.size(); ++i) EXPECT_FALSE(has_checksum(requests[i])) << i;
  EXPECT_EQ(refusals, 1);
}

TEST(S3ClientChecksumFallback, CreateRefusedGoesOnWithout) {
  testing::FakeS3Client h([](const RecordedRequest& r, int) {
    if (has_checksum(r)) return testing::s3_error_answer(501, "NotImplemented");
    FakeAnswer a;
    a.body = "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>";
    return a;
  });
  PutOptions create;
  create.checksum_algorithm = ChecksumAlgorithm::crc64nvme;
  auto id = h.client->create_multipart_upload("b", "k", create);
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  EXPECT_EQ(*id, "u");
  EXPECT_FALSE(h.client->honours_additional_checksums());
}

TEST(S3ClientChecksumFallback, BadDigestIsNoRefusal) {
  testing::FakeS3Client h([](const RecordedRequest&, int) { return testing::s3_error_answer(400, "BadDigest"); },
                          {"http://127.0.0.1:9000"}, RetryOptions{.max_attempts = 1});
  BodySource body{.size = 9, .data = "123456789", .checksum = {ChecksumAlgorithm::crc32c, "AAAAAA=="}};
  auto put = h.client->put_object("b", "k", body);
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().code, "BadDigest");
  EXPECT_TRUE(h.client->honours_additional_checksums());
}

}  // namespace
}  // namespace s5j::s3
