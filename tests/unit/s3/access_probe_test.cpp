// Access probes: a leg learns before its first byte whether its side lets
// it list and write, and a server lacking the probe's request is no refusal.
#include "s3/access_probe.h"

#include <gtest/gtest.h>

#include "support/fake_s3_client.h"

namespace s5j::s3 {
namespace {

using testing::FakeAnswer;
using testing::FakeTransport;
using testing::RecordedRequest;

FakeAnswer empty_listing() {
  FakeAnswer a;
  a.body =
      "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><Prefix>p/</Prefix><KeyCount>0</KeyCount>"
      "<MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";
  return a;
}

FakeAnswer upload_created() {
  FakeAnswer a;
  a.body =
      "<?xml version=\"1.0\"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
      "<UploadId>probe-upload</UploadId></InitiateMultipartUploadResult>";
  return a;
}

// One attempt per request: a refusal is the answer, not something to retry.
struct Harness : testing::FakeS3Client {
  explicit Harness(FakeTransport::Handler handler)
      : FakeS3Client(std::move(handler), {"http://127.0.0.1:9000"}, RetryOptions{.max_attempts = 1}) {}
};

// Answers by operation: the listing, the Create and the Abort of the probe.
FakeTransport::Handler by_operation(FakeAnswer list, FakeAnswer create) {
  return [list, create](const RecordedRequest& r, int) {
    if (r.method == "GET") return list;
    if (r.method == "POST" && r.url.find("uploads") != std::string::npos) return create;
    FakeAnswer done;
    done.status = 204;
    return done;
  };
}

TEST(AccessProbe, AWritableSideIsListedThenProbedWithAnUploadThatIsAborted) {
  Harness h(by_operation(empty_listing(), upload_created()));
  ASSERT_TRUE(probe_writable(*h.client, "b", "p/").has_value());
  const auto requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_NE(requests[0].url.find("max-keys=1"), std::string::npos) << requests[0].url;
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_NE(requests[1].url.find("/b/p/.s5j-write-probe-"), std::string::npos) << requests[1].url;
  EXPECT_EQ(requests[2].method, "DELETE");
  EXPECT_NE(requests[2].url.find("uploadId=probe-upload"), std::string::npos) << requests[2].url;
}

TEST(AccessProbe, RejectedCredentialsAreReportedAsTheServerSaidThem) {
  Harness h(by_operation(testing::s3_error_answer(403, "SignatureDoesNotMatch"), upload_created()));
  auto probed = probe_writable(*h.client, "b", "p/");
  ASSERT_FALSE(probed.has_value());
  EXPECT_EQ(probed.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(h.transport->requests().size(), 1u);  // nothing written
}

TEST(AccessProbe, NoRightToWriteIsARefusal) {
  Harness h(by_operation(empty_listing(), testing::s3_error_answer(403, "AccessDenied")));
  auto probed = probe_writable(*h.client, "b", "p/");
  ASSERT_FALSE(probed.has_value());
  EXPECT_EQ(probed.error().code, "AccessDenied");
  EXPECT_EQ(probed.error().http_status, 403);
}

TEST(AccessProbe, AServerWithoutMultipartIsNotARefusal) {
  Harness h(by_operation(empty_listing(), testing::s3_error_answer(501, "NotImplemented")));
  EXPECT_TRUE(probe_writable(*h.client, "b", "p/").has_value());
}

TEST(AccessProbe, AMissingBucketFailsTheReadProbe) {
  Harness h(by_operation(testing::s3_error_answer(404, "NoSuchBucket"), upload_created()));
  auto probed = probe_readable(*h.client, "b", "p/");
  ASSERT_FALSE(probed.has_value());
  EXPECT_EQ(probed.error().code, "NoSuchBucket");
}

TEST(AccessProbe, ProbeKeysAreUniqueAndUnderThePrefix) {
  const auto a = write_probe_key("p/");
  const auto b = write_probe_key("p/");
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("p/.s5j-write-probe-")) << a;
}

}  // namespace
}  // namespace s5j::s3
