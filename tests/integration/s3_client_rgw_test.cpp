// The S3 client against a real Ceph RADOS Gateway (which verifies SigV4):
// every operation, hostile keys, 0-byte and multipart round trips, paging
// with v2 and v1, and an endpoint pool with a dead member.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <set>
#include <thread>

#include "base/strings.h"
#include "http/curl_transport.h"
#include "s3/s3_client.h"
#include "support/test_env.h"

namespace s5j::s3 {
namespace {

std::unique_ptr<S3Client> make_rgw_client(std::vector<std::string> endpoints, ListApi list_api = ListApi::automatic) {
  ClientOptions options;
  options.endpoint_urls = std::move(endpoints);
  options.credentials = {testing::access_key(), testing::secret_key(), ""};
  options.list_api = list_api;
  auto client = make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{}));
  EXPECT_TRUE(client.has_value());
  return std::move(*client);
}

std::string md5_hex(std::string_view data) {
  unsigned char d[16];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_md5(), nullptr);
  return to_hex(std::span<const unsigned char>(d, n));
}
std::string md5_b64(std::string_view data) {
  unsigned char d[16];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_md5(), nullptr);
  return base64_encode(std::span<const unsigned char>(d, n));
}

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

Result<std::string> get_all(S3Client& c, const std::string& bucket, const std::string& key, GetOptions o = {}) {
  std::string out;
  auto head = c.get_object(bucket, key, o, [&](std::string_view chunk) -> Status {
    out.append(chunk);
    return {};
  });
  if (!head) return std::unexpected(head.error());
  return out;
}

// Keys that break careless encoders and normalisers.
const std::vector<std::string>& hostile_keys() {
  static const std::vector<std::string> keys = {
      "plain.txt",
      "with space/and  two  spaces.bin",
      "plus+equals=percent%25tilde~",
      "unicode/日本語/Ünïcödé/emoji-\xF0\x9F\x98\x80",
      "double//slash",
      "dot/./segment",
      "dotdot/../segment",
      "trailing.dot.",
      "query?like&this=1#hash",
      "quote\"apostrophe'semi;colon:comma,",
      "brackets[]{}()<>!@$^*|\\",
      std::string("control-\x01-\x1f-chars"),
      std::string(200, 'k') + "/" + std::string(200, 'l'),
  };
  return keys;
}

class RgwClient : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = make_rgw_client({testing::endpoint_a()});
    bucket_ = testing::unique_bucket_name("client");
    auto created = client_->create_bucket(bucket_);
    ASSERT_TRUE(created.has_value()) << created.error().describe();
  }
  void TearDown() override {
    // Empty and remove the bucket (and any multipart uploads).
    ListRequest req{.bucket = bucket_};
    for (;;) {
      auto page = client_->list_objects(req);
      if (!page || page->objects.empty()) break;
      std::vector<std::string> keys;
      for (auto& o : page->objects) keys.push_back(o.key);
      (void)client_->delete_objects(bucket_, keys);
    }
    if (auto uploads = client_->list_multipart_uploads(bucket_, ""))
      for (auto& u : uploads->uploads) (void)client_->abort_multipart_upload(bucket_, u.key, u.upload_id);
    (void)client_->delete_bucket(bucket_);
  }
  std::unique_ptr<S3Client> client_;
  std::string bucket_;
};

TEST_F(RgwClient, BucketOperations) {
  ASSERT_TRUE(client_->head_bucket(bucket_).has_value());
  auto buckets = client_->list_buckets();
  ASSERT_TRUE(buckets.has_value()) << buckets.error().describe();
  bool found = false;
  for (auto& b : *buckets) found |= b.name == bucket_;
  EXPECT_TRUE(found);
  auto missing = client_->head_bucket(bucket_ + "-missing");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, "NoSuchBucket");
}

TEST_F(RgwClient, HostileKeysRoundTripByteForByte) {
  uint64_t seed = 1;
  for (const auto& key : hostile_keys()) {
    const std::string data = random_bytes(1000 + seed * 37, seed);
    ++seed;
    BodySource body{.size = data.size(), .data = data, .content_md5 = md5_b64(data)};
    auto etag = client_->put_object(bucket_, key, body);
    ASSERT_TRUE(etag.has_value()) << "put '" << key << "': " << etag.error().describe();
    EXPECT_EQ(*etag, md5_hex(data));
    auto head = client_->head_object(bucket_, key);
    ASSERT_TRUE(head.has_value()) << "head '" << key << "': " << head.error().describe();
    EXPECT_EQ(head->size, data.size());
    auto back = get_all(*client_, bucket_, key);
    ASSERT_TRUE(back.has_value()) << "get '" << key << "': " << back.error().describe();
    EXPECT_TRUE(*back == data) << key;
  }
  // Listing returns every key exactly as written (encoding-type=url decoded).
  std::set<std::string> listed;
  auto page = client_->list_objects({.bucket = bucket_});
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  for (auto& o : page->objects) listed.insert(o.key);
  EXPECT_EQ(listed, std::set<std::string>(hostile_keys().begin(), hostile_keys().end()));
}

TEST_F(RgwClient, ZeroByteObject) {
  BodySource empty{.size = 0, .data = "", .content_md5 = md5_b64("")};
  auto etag = client_->put_object(bucket_, "empty", empty);
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  EXPECT_EQ(*etag, "d41d8cd98f00b204e9800998ecf8427e");
  auto back = get_all(*client_, bucket_, "empty");
  ASSERT_TRUE(back.has_value()) << back.error().describe();
  EXPECT_TRUE(back->empty());
  auto head = client_->head_object(bucket_, "empty");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size, 0u);
}

TEST_F(RgwClient, MetadataIsStoredAndReturned) {
  PutOptions options;
  options.metadata.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                              {"Cache-Control", "max-age=60"},
                              {"x-amz-meta-origin", "forward edge"}};
  const std::string data = "metadata";
  auto etag = client_->put_object(bucket_, "meta", BodySource{.size = data.size(), .data = data}, options);
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  auto head = client_->head_object(bucket_, "meta");
  ASSERT_TRUE(head.has_value());
  auto find = [&](std::string_view name) {
    auto v = http::find_header(head->metadata.headers, name);
    return v ? std::string(*v) : std::string();
  };
  EXPECT_EQ(find("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(find("cache-control"), "max-age=60");
  EXPECT_EQ(find("x-amz-meta-origin"), "forward edge");
}

TEST_F(RgwClient, RangedGetAndIfMatch) {
  const std::string data = random_bytes(10000, 7);
  auto etag = client_->put_object(bucket_, "ranged", BodySource{.size = data.size(), .data = data});
  ASSERT_TRUE(etag.has_value());
  auto part = get_all(*client_, bucket_, "ranged", GetOptions{.range = ByteRange{100, 1099}, .if_match = *etag});
  ASSERT_TRUE(part.has_value()) << part.error().describe();
  EXPECT_TRUE(*part == data.substr(100, 1000));
  auto stale = get_all(*client_, bucket_, "ranged", GetOptions{.if_match = "00000000000000000000000000000000"});
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code, "PreconditionFailed");
  auto missing = get_all(*client_, bucket_, "no-such-key");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, "NoSuchKey");
}

TEST_F(RgwClient, MultipartUploadRoundTripsAndListsAndAborts) {
  const std::string key = "multi/part object+1";
  const size_t part = 5 * 1024 * 1024;
  const std::string data = random_bytes(2 * part + 12345, 11);
  auto upload = client_->create_multipart_upload(bucket_, key);
  ASSERT_TRUE(upload.has_value()) << upload.error().describe();

  auto uploads = client_->list_multipart_uploads(bucket_, "multi/");
  ASSERT_TRUE(uploads.has_value()) << uploads.error().describe();
  ASSERT_EQ(uploads->uploads.size(), 1u);
  EXPECT_EQ(uploads->uploads[0].key, key);

  std::vector<CompletedPart> parts;
  std::string md5_concat;
  for (int n = 1; n <= 3; ++n) {
    const size_t off = (n - 1) * part;
    std::string_view slice = std::string_view(data).substr(off, std::min(part, data.size() - off));
    BodySource body{.size = slice.size(), .data = slice, .content_md5 = md5_b64(slice)};
    auto etag = client_->upload_part(bucket_, key, *upload, n, body);
    ASSERT_TRUE(etag.has_value()) << etag.error().describe();
    EXPECT_EQ(*etag, md5_hex(slice));
    parts.push_back({n, *etag});
    auto raw = from_hex(*etag);
    md5_concat.append(reinterpret_cast<const char*>(raw->data()), raw->size());
  }
  auto done = client_->complete_multipart_upload(bucket_, key, *upload, parts);
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  // Ceph 16 answers Complete with an empty ETag; HEAD gives the real one.
  auto head = client_->head_object(bucket_, key);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->etag, md5_hex(md5_concat) + "-3");
  EXPECT_EQ(head->size, data.size());
  auto back = get_all(*client_, bucket_, key);
  ASSERT_TRUE(back.has_value()) << back.error().describe();
  EXPECT_TRUE(*back == data);

  // An abandoned upload is listed and aborted; aborting twice is fine.
  auto orphan = client_->create_multipart_upload(bucket_, "multi/orphan");
  ASSERT_TRUE(orphan.has_value());
  ASSERT_TRUE(client_->abort_multipart_upload(bucket_, "multi/orphan", *orphan).has_value());
  ASSERT_TRUE(client_->abort_multipart_upload(bucket_, "multi/orphan", *orphan).has_value());
  auto after = client_->list_multipart_uploads(bucket_, "multi/");
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->uploads.empty());
}

TEST_F(RgwClient, ServerSideCopyAndUploadPartCopy) {
  const std::string data = random_bytes(6 * 1024 * 1024 + 10, 21);
  auto etag = client_->put_object(bucket_, "src obj+1", BodySource{.size = data.size(), .data = data});
  ASSERT_TRUE(etag.has_value());
  auto copy = client_->copy_object(bucket_, "src obj+1", bucket_, "copy/whole", {.if_match = *etag});
  ASSERT_TRUE(copy.has_value()) << copy.error().describe();
  EXPECT_EQ(copy->etag, *etag);
  // A copy pinned to a stale ETag must not pass unnoticed. AWS refuses it
  // (PreconditionFailed); Ceph 16 ignores x-amz-copy-source-if-match and
  // copies, so the ETag of the copy is what reveals the change: the
  // transfer engine always compares it with the ETag it expected.
  const std::string stale = "0123456789abcdef0123456789abcdef";
  auto changed = client_->copy_object(bucket_, "src obj+1", bucket_, "copy/stale", {.if_match = stale});
  if (changed.has_value())
    EXPECT_NE(changed->etag, stale);
  else
    EXPECT_EQ(changed.error().code, "PreconditionFailed");

  auto upload = client_->create_multipart_upload(bucket_, "copy/parts");
  ASSERT_TRUE(upload.has_value());
  const uint64_t part = 5 * 1024 * 1024;
  auto p1 = client_->upload_part_copy(bucket_, "src obj+1", {0, part - 1}, bucket_, "copy/parts", *upload, 1, *etag);
  ASSERT_TRUE(p1.has_value()) << p1.error().describe();
  auto p2 = client_->upload_part_copy(bucket_, "src obj+1", {part, data.size() - 1}, bucket_, "copy/parts", *upload, 2);
  ASSERT_TRUE(p2.has_value()) << p2.error().describe();
  auto done = client_->complete_multipart_upload(bucket_, "copy/parts", *upload, {{1, p1->etag}, {2, p2->etag}});
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  auto back = get_all(*client_, bucket_, "copy/parts");
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(*back == data);
}

TEST_F(RgwClient, DeleteObjectAndDeleteObjects) {
  for (const auto& k : {"d/1", "d/2", "d/3 & <4>"})
    ASSERT_TRUE(client_->put_object(bucket_, k, BodySource{.size = 1, .data = "x"}).has_value());
  ASSERT_TRUE(client_->delete_object(bucket_, "d/1").has_value());
  ASSERT_TRUE(client_->delete_object(bucket_, "d/1").has_value());  // already gone is fine
  auto r = client_->delete_objects(bucket_, {"d/2", "d/3 & <4>"});
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_TRUE(r->errors.empty());
  auto page = client_->list_objects({.bucket = bucket_, .prefix = "d/"});
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->objects.empty());
}

// 2,500 keys, written by 8 threads; listed in pages of 1,000 with v2
// (continuation tokens) and with v1 (markers).
TEST_F(RgwClient, ListingPagesThrough2500KeysWithV2AndV1) {
  const int total = 2500;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = t; i < total; i += 8) {
        char key[64];
        std::snprintf(key, sizeof key, "many/%05d key+%d", i, i % 7);
        if (!client_->put_object(bucket_, key, BodySource{.size = 3, .data = "abc"})) ++failures;
      }
    });
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);

  for (ListApi api : {ListApi::v2, ListApi::v1}) {
    auto client = make_rgw_client({testing::endpoint_a()}, api);
    ListRequest req{.bucket = bucket_, .prefix = "many/"};
    std::vector<std::string> keys;
    uint64_t bytes = 0;
    int pages = 0;
    for (;;) {
      auto page = client->list_objects(req);
      ASSERT_TRUE(page.has_value()) << page.error().describe();
      ++pages;
      for (auto& o : page->objects) {
        keys.push_back(o.key);
        bytes += o.size;
      }
      if (!page->is_truncated) break;
      req.continuation = api == ListApi::v1 ? page->next_marker : page->next_continuation_token;
      ASSERT_FALSE(req.continuation.empty());
    }
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(keys.size(), static_cast<size_t>(total));
    EXPECT_EQ(bytes, 3u * total);
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
    EXPECT_EQ(client->using_list_v1(), api == ListApi::v1);
  }
}

// One of three endpoint URLs is dead (a closed port): listing and 100 GETs
// all succeed, and the dead endpoint is marked down instead of retried.
TEST_F(RgwClient, DeadEndpointInPoolFailsOver) {
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(client_->put_object(bucket_, "pool/" + std::to_string(i), BodySource{.size = 2, .data = "ok"}));
  auto pool = make_rgw_client({testing::endpoint_a(), "http://127.0.0.1:1", testing::endpoint_a()});
  auto page = pool->list_objects({.bucket = bucket_, .prefix = "pool/"});
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->objects.size(), 10u);
  for (int i = 0; i < 100; ++i) {
    auto body = get_all(*pool, bucket_, "pool/" + std::to_string(i % 10));
    ASSERT_TRUE(body.has_value()) << body.error().describe();
    EXPECT_EQ(*body, "ok");
  }
  EXPECT_GE(pool->endpoints().failures(1), 1u);
  EXPECT_LE(pool->endpoints().failures(1), 3u);
  EXPECT_GE(pool->endpoints().requests(0) + pool->endpoints().requests(2), 100u);
}

TEST(RgwAuth, WrongSecretIsSignatureDoesNotMatch) {
  ClientOptions options;
  options.endpoint_urls = {testing::endpoint_a()};
  options.credentials = {testing::access_key(), "wrong-secret-0000000000000000000000000000", ""};
  auto client = make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{}));
  ASSERT_TRUE(client.has_value());
  auto r = (*client)->list_buckets();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(r.error().kind, ErrorKind::permanent);
  EXPECT_EQ(r.error().message.find("wrong-secret"), std::string::npos);
}

}  // namespace
}  // namespace s5j::s3
