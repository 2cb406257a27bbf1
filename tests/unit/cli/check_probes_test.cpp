// `s5j check`'s object probes against the in-memory S3 server, and against
// servers that silently ignore a request header (which neither RGW nor the
// fault proxy can show): a condition, a range or a Content-MD5 that is not
// honoured must read `unsupported`, a refusal for another reason `unknown`,
// and no probe object may be left behind.
#include <gtest/gtest.h>

#include <set>

#include "base/strings.h"
#include "cli/check_capabilities.h"
#include "support/in_memory_s3.h"

namespace s5j::cli {
namespace {

using enum CapabilityState;
using testing::InMemoryS3;

// The in-memory server, minus the request headers it is told to ignore.
class HeaderIgnoringServer final : public http::Transport {
 public:
  explicit HeaderIgnoringServer(std::shared_ptr<InMemoryS3> server) : server_(std::move(server)) {}
  std::set<std::string> ignored;  // lower case; set before requests start

  Result<http::Response> perform(const http::Request& request) override {
    http::Request forwarded = request;
    std::erase_if(forwarded.headers, [&](const http::Header& h) { return ignored.contains(to_lower(h.name)); });
    return server_->perform(forwarded);
  }

 private:
  std::shared_ptr<InMemoryS3> server_;
};

class CheckProbes : public ::testing::Test {
 protected:
  void SetUp() override { server_->create_bucket("b"); }

  ProbeClientFactory clients() {
    return [this]() -> Result<std::unique_ptr<s3::S3Client>> {
      s3::ClientOptions options;
      options.endpoint_urls = {"http://s3.test"};
      options.credentials = {"AKIDEXAMPLE", "secret", ""};
      options.retry.max_attempts = 2;
      options.retry.base = std::chrono::milliseconds(1);
      options.retry.cap = std::chrono::milliseconds(2);
      return std::make_unique<s3::S3Client>(options, front_);
    };
  }

  Capabilities probe_destination_now() {
    Capabilities caps;
    warnings_ = probe_destination(clients(), "b", "out/", caps);
    return caps;
  }

  std::shared_ptr<InMemoryS3> server_ = std::make_shared<InMemoryS3>();
  std::shared_ptr<HeaderIgnoringServer> front_ = std::make_shared<HeaderIgnoringServer>(server_);
  std::vector<std::string> warnings_;
};

TEST_F(CheckProbes, HonouringServerSupportsEveryProbedFeatureAndKeepsNoProbeObject) {
  const auto caps = probe_destination_now();
  // The in-memory server checks x-amz-checksum-* as AWS does.
  for (const char* f : {"conditional_get", "head_part_number", "ranged_get", "content_md5", "additional_checksums"})
    EXPECT_EQ(caps.get(f).state, supported) << f << ": " << caps.get(f).detail;
  EXPECT_TRUE(server_->keys("b").empty());
  EXPECT_TRUE(warnings_.empty());
}

// A server that knows nothing of x-amz-checksum-* (RGW 16) accepts a wrong
// one and answers none with checksum mode.
TEST_F(CheckProbes, IgnoredAdditionalChecksumIsUnsupported) {
  front_->ignored = {"x-amz-checksum-crc32c"};
  const auto caps = probe_destination_now();
  EXPECT_EQ(caps.get("additional_checksums").state, unsupported) << caps.get("additional_checksums").detail;
  EXPECT_NE(caps.get("additional_checksums").detail.find("ignored"), std::string::npos)
      << caps.get("additional_checksums").detail;
  EXPECT_TRUE(server_->keys("b").empty());
}

TEST_F(CheckProbes, IgnoredIfMatchIsUnsupported) {
  front_->ignored = {"if-match"};
  const auto caps = probe_destination_now();
  EXPECT_EQ(caps.get("conditional_get").state, unsupported);
  EXPECT_NE(caps.get("conditional_get").detail.find("ignored"), std::string::npos) << caps.get("conditional_get").detail;
  EXPECT_EQ(caps.get("ranged_get").state, supported);
  EXPECT_TRUE(server_->keys("b").empty());
}

TEST_F(CheckProbes, IgnoredRangeIsUnsupportedAndReadsNoMoreThanTheCap) {
  front_->ignored = {"range"};
  const std::string big(1 << 20, 'x');
  server_->put("b", "in/big", big);
  Capabilities caps;
  probe_reads(clients(), "b", {.key = "in/big", .etag = InMemoryS3::md5_hex(big), .size = big.size()}, caps);
  EXPECT_EQ(caps.get("ranged_get").state, unsupported);
  EXPECT_NE(caps.get("ranged_get").detail.find("the Range is ignored"), std::string::npos)
      << caps.get("ranged_get").detail;
  // Conditions still hold, even when the answer is the whole object.
  EXPECT_EQ(caps.get("conditional_get").state, supported) << caps.get("conditional_get").detail;
}

TEST_F(CheckProbes, IgnoredRangeOnASmallObjectSaysWhatCameBack) {
  front_->ignored = {"range"};
  const auto caps = probe_destination_now();
  EXPECT_EQ(caps.get("ranged_get").state, unsupported);
  EXPECT_NE(caps.get("ranged_get").detail.find("answered 200 with 16 bytes"), std::string::npos)
      << caps.get("ranged_get").detail;
}

TEST_F(CheckProbes, IgnoredContentMd5IsUnsupportedAndTheAcceptedObjectIsDeleted) {
  front_->ignored = {"content-md5"};
  const auto caps = probe_destination_now();
  EXPECT_EQ(caps.get("content_md5").state, unsupported);
  EXPECT_NE(caps.get("content_md5").detail.find("does not check"), std::string::npos);
  EXPECT_TRUE(server_->keys("b").empty());
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(CheckProbes, RefusedPartNumberHeadIsUnsupported) {
  server_->refuse(testing::S3Op::head_object_part);
  const auto caps = probe_destination_now();
  EXPECT_EQ(caps.get("head_part_number").state, unsupported);
  EXPECT_NE(caps.get("head_part_number").detail.find("501"), std::string::npos) << caps.get("head_part_number").detail;
  EXPECT_EQ(caps.get("conditional_get").state, supported);
}

TEST_F(CheckProbes, AccessDeniedLeavesFeaturesUnknownAndAttemptsNoDelete) {
  server_->refuse_all(403, "AccessDenied");
  const auto caps = probe_destination_now();
  for (const char* f : {"conditional_get", "head_part_number", "ranged_get", "content_md5", "additional_checksums"}) {
    EXPECT_EQ(caps.get(f).state, unknown) << f;
    EXPECT_NE(caps.get(f).detail.find("AccessDenied (HTTP 403)"), std::string::npos) << f << ": " << caps.get(f).detail;
  }
  EXPECT_EQ(server_->calls(testing::S3Op::delete_object), 0);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(CheckProbes, ServerErrorOnPutStillDeletesWhatMayHaveLanded) {
  server_->refuse_all(500, "InternalError");
  const auto caps = probe_destination_now();
  EXPECT_EQ(caps.get("content_md5").state, unknown);
  // Three PUTs whose fate is unknown: each key is deleted (and the delete,
  // refused too, is reported for the operator to do by hand).
  EXPECT_EQ(warnings_.size(), 3u);
  for (const auto& w : warnings_) EXPECT_NE(w.find(".s5j-check-"), std::string::npos) << w;
}

}  // namespace
}  // namespace s5j::cli
