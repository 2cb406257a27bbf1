// The fault proxy in front of a live Ceph RGW (fixture "rgw"), driven by the
// project's S3Client: signed requests pass unchanged, and faults show up the
// way the client must handle them (BadDigest, SlowDown, broken downloads,
// flipped bytes, an endpoint that goes down and comes back).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <mutex>

#include "base/strings.h"
#include "fault/proxy_test_util.h"
#include "s3/s3_client.h"
#include "support/test_env.h"

namespace s5j::testing {
namespace {

std::string md5_b64(std::string_view data) {
  unsigned char d[16];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_md5(), nullptr);
  return base64_encode(std::span<const unsigned char>(d, n));
}

std::unique_ptr<s3::S3Client> make_s3_client(const std::string& endpoint, int max_attempts = 4,
                                             uint64_t sign_body_below = 1 << 20) {
  s3::ClientOptions options;
  options.sign_body_below = sign_body_below;
  options.endpoint_urls = {endpoint};
  options.credentials = {access_key(), secret_key(), ""};
  options.retry.max_attempts = max_attempts;
  options.retry.base = std::chrono::milliseconds(5);
  options.retry.throttle_base = std::chrono::milliseconds(5);
  auto client = s3::make_client(options, make_transport());
  EXPECT_TRUE(client.has_value());
  return client ? std::move(*client) : nullptr;
}

Result<std::string> get_all(s3::S3Client& client, const std::string& bucket, const std::string& key) {
  std::string out;
  auto head = client.get_object(bucket, key, {}, [&](std::string_view chunk) -> Status {
    out.append(chunk);
    return {};
  });
  if (!head) return std::unexpected(head.error());
  return out;
}

class ProxyToRgw : public ::testing::Test {
 protected:
  void SetUp() override {
    direct_ = make_s3_client(endpoint_a());
    ASSERT_NE(direct_, nullptr);
    bucket_ = unique_bucket_name("fault");
    auto created = direct_->create_bucket(bucket_);
    ASSERT_TRUE(created.has_value()) << created.error().describe();
    proxy_ = std::make_unique<FaultProxy>(FaultProxyOptions{.upstream = endpoint_a()});
    via_proxy_ = make_s3_client(proxy_->url());
    ASSERT_NE(via_proxy_, nullptr);
    via_proxy_->set_observer([this](const s3::RequestEvent& e) {
      std::lock_guard lock(events_mutex_);
      events_.push_back(e);
    });
  }
  void TearDown() override {
    proxy_.reset();
    if (!direct_) return;
    // Cleanup goes straight to RGW, not through the proxy.
    for (int page = 0; page < 100; ++page) {
      auto listed = direct_->list_objects({.bucket = bucket_});
      if (!listed || listed->objects.empty()) break;
      std::vector<std::string> keys;
      for (auto& o : listed->objects) keys.push_back(o.key);
      (void)direct_->delete_objects(bucket_, keys);
    }
    if (auto uploads = direct_->list_multipart_uploads(bucket_, ""))
      for (auto& u : uploads->uploads) (void)direct_->abort_multipart_upload(bucket_, u.key, u.upload_id);
    (void)direct_->delete_bucket(bucket_);
  }

  std::vector<s3::RequestEvent> events() {
    std::lock_guard lock(events_mutex_);
    return events_;
  }

  std::unique_ptr<s3::S3Client> direct_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<s3::S3Client> via_proxy_;
  std::string bucket_;
  std::mutex events_mutex_;
  std::vector<s3::RequestEvent> events_;  // guarded by events_mutex_
};

TEST_F(ProxyToRgw, SignedRequestsPassThroughUnchanged) {
  s3::S3Client& c = *via_proxy_;
  ASSERT_TRUE(c.head_bucket(bucket_).has_value());
  const std::vector<std::string> keys = {"plain", "a//double/./dot", "space and+plus=%25", "unicode/\xC3\xBC"};
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string data = pattern_bytes(1000 + i * 3001, i);
    s3::BodySource body{.size = data.size(), .data = data, .content_md5 = md5_b64(data)};
    auto etag = c.put_object(bucket_, keys[i], body);
    ASSERT_TRUE(etag.has_value()) << keys[i] << ": " << etag.error().describe();
    auto back = get_all(c, bucket_, keys[i]);
    ASSERT_TRUE(back.has_value()) << keys[i] << ": " << back.error().describe();
    EXPECT_TRUE(*back == data) << keys[i];
    auto head = c.head_object(bucket_, keys[i]);
    ASSERT_TRUE(head.has_value()) << head.error().describe();
    EXPECT_EQ(head->size, data.size());
  }
  // A multipart upload (two 5 MiB parts and a tail) and a listing.
  const size_t part = 5 * 1024 * 1024;
  const std::string big = pattern_bytes(2 * part + 777, 9);
  auto upload = c.create_multipart_upload(bucket_, "multi");
  ASSERT_TRUE(upload.has_value()) << upload.error().describe();
  std::vector<s3::CompletedPart> parts;
  for (int n = 1; n <= 3; ++n) {
    const std::string_view slice = std::string_view(big).substr((n - 1) * part, part);
    auto etag = c.upload_part(bucket_, "multi", *upload, n,
                              s3::BodySource{.size = slice.size(), .data = slice, .content_md5 = md5_b64(slice)});
    ASSERT_TRUE(etag.has_value()) << etag.error().describe();
    parts.push_back({n, *etag});
  }
  auto done = c.complete_multipart_upload(bucket_, "multi", *upload, parts);
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  auto back = get_all(c, bucket_, "multi");
  ASSERT_TRUE(back.has_value()) << back.error().describe();
  EXPECT_TRUE(*back == big);
  auto listed = c.list_objects({.bucket = bucket_});
  ASSERT_TRUE(listed.has_value()) << listed.error().describe();
  EXPECT_EQ(listed->objects.size(), keys.size() + 1);

  for (const auto& e : events()) EXPECT_TRUE(e.error_code.empty()) << e.operation << ": " << e.error_code;
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.requests_faulted, 0u);
  EXPECT_EQ(counters.upstream_failures, 0u);
  EXPECT_EQ(counters.requests_forwarded, counters.requests_seen);
  EXPECT_GT(counters.bytes_to_upstream, big.size());
  EXPECT_GT(counters.bytes_to_client, big.size());
}

TEST_F(ProxyToRgw, FlippedUploadByteIsRefusedWithBadDigestAndRetried) {
  // An unsigned payload (UNSIGNED-PAYLOAD) guarded by Content-MD5 only.
  auto client = make_s3_client(proxy_->url(), 4, 0);
  client->set_observer([this](const s3::RequestEvent& e) {
    std::lock_guard lock(events_mutex_);
    events_.push_back(e);
  });
  auto plan = always(FaultKind::flip_request_byte, 1);
  plan.filter.operations = {"PutObject"};
  proxy_->set_plan(plan);
  const std::string data = pattern_bytes(50000, 1);
  auto etag = client->put_object(bucket_, "k", {.size = data.size(), .data = data, .content_md5 = md5_b64(data)});
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  const auto seen = events();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0].error_code, "BadDigest");
  EXPECT_EQ(seen[0].http_status, 400);
  EXPECT_TRUE(seen.back().error_code.empty());
  EXPECT_EQ(proxy_->counters().faulted(FaultKind::flip_request_byte), 1u);
  auto stored = get_all(*direct_, bucket_, "k");
  ASSERT_TRUE(stored.has_value()) << stored.error().describe();
  EXPECT_TRUE(*stored == data);
}

TEST_F(ProxyToRgw, FlippedByteInASignedPayloadFailsTheSha256Check) {
  // Small bodies are signed with their SHA-256 (x-amz-content-sha256).
  auto plan = always(FaultKind::flip_request_byte, 1);
  plan.filter.operations = {"PutObject"};
  proxy_->set_plan(plan);
  const std::string data = pattern_bytes(20000, 4);
  auto etag = via_proxy_->put_object(bucket_, "k", {.size = data.size(), .data = data});
  const auto seen = events();
  ASSERT_GE(seen.size(), 1u);
  EXPECT_EQ(seen[0].error_code, "XAmzContentSHA256Mismatch");
  EXPECT_EQ(seen[0].http_status, 400);
  // Whether the client retries is its policy; corrupted bytes are never stored.
  auto stored = get_all(*direct_, bucket_, "k");
  if (etag.has_value()) {
    ASSERT_TRUE(stored.has_value()) << stored.error().describe();
    EXPECT_TRUE(*stored == data);
  } else {
    ASSERT_FALSE(stored.has_value());
    EXPECT_EQ(stored.error().code, "NoSuchKey");
  }
}

TEST_F(ProxyToRgw, FlippedDownloadByteReachesTheClient) {
  const std::string data = pattern_bytes(40000, 2);
  ASSERT_TRUE(direct_->put_object(bucket_, "k", {.size = data.size(), .data = data}).has_value());
  auto plan = always(FaultKind::flip_byte, 1);
  plan.filter.operations = {"GetObject"};
  proxy_->set_plan(plan);
  auto got = get_all(*via_proxy_, bucket_, "k");
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  EXPECT_EQ(differing_bytes(*got, data), 1u);  // only an end-to-end checksum catches this
}

TEST_F(ProxyToRgw, BrokenDownloadIsResumedByTheClient) {
  const std::string data = pattern_bytes(300000, 3);
  ASSERT_TRUE(direct_->put_object(bucket_, "k", {.size = data.size(), .data = data}).has_value());
  auto plan = always(FaultKind::reset_mid_body, 1);
  plan.filter.operations = {"GetObject"};
  proxy_->set_plan(plan);
  auto got = get_all(*via_proxy_, bucket_, "k");
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(proxy_->counters().faulted(FaultKind::reset_mid_body), 1u);
  EXPECT_GE(events().size(), 2u);
}

TEST_F(ProxyToRgw, SlowDownIsRetried) {
  proxy_->set_plan(always(FaultKind::status_503, 2));
  const std::string data = "throttled";
  auto etag = via_proxy_->put_object(bucket_, "k", {.size = data.size(), .data = data});
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  const auto seen = events();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].error_code, "SlowDown");
  EXPECT_EQ(seen[1].error_code, "SlowDown");
  EXPECT_TRUE(seen[2].error_code.empty());
}

TEST_F(ProxyToRgw, DownEndpointRefusesThenRecovers) {
  auto once = make_s3_client(proxy_->url(), 1);
  ASSERT_TRUE(once->head_bucket(bucket_).has_value());
  proxy_->go_down(std::chrono::milliseconds(0));
  auto refused = once->head_bucket(bucket_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "ConnectFailed") << refused.error().describe();
  proxy_->come_up();
  auto back = once->head_bucket(bucket_);
  EXPECT_TRUE(back.has_value()) << back.error().describe();
}

}  // namespace
}  // namespace s5j::testing
