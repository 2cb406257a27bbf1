// InMemoryS3 answers what the real S3Client parses: listings page (v2
// tokens, v1 markers, delimiters, encoded keys), ranged and part GETs and
// HEADs, If-Match, Content-MD5, S3's multipart ETag, and its fault hooks
// fire on exactly the calls they name.
#include "support/in_memory_s3.h"

#include <gtest/gtest.h>

#include "s3/s3_client.h"

namespace s5j::testing {
namespace {

class InMemoryS3Test : public ::testing::Test {
 protected:
  InMemoryS3Test() {
    s3::ClientOptions options;
    options.endpoint_urls = {"http://s3.in-memory.test"};
    options.credentials = {"AKIDEXAMPLE", "secret", ""};
    options.retry.max_attempts = 2;
    options.retry.base = std::chrono::milliseconds(1);
    options.retry.cap = std::chrono::milliseconds(2);
    client_ = std::make_unique<s3::S3Client>(options, server_);
    server_->create_bucket("b");
  }
  std::vector<std::string> list_all(const std::string& prefix, const std::string& delimiter, int max_keys) {
    std::vector<std::string> out;
    s3::ListRequest request{.bucket = "b", .prefix = prefix, .delimiter = delimiter, .max_keys = max_keys};
    for (int pages = 0; pages < 100; ++pages) {
      auto page = client_->list_objects(request);
      EXPECT_TRUE(page.has_value()) << page.error().message;
      if (!page) break;
      for (const auto& o : page->objects) out.push_back(o.key);
      for (const auto& p : page->common_prefixes) out.push_back(p);
      if (!page->is_truncated) break;
      request.continuation = client_->using_list_v1() ? page->next_marker : page->next_continuation_token;
    }
    return out;
  }

  std::shared_ptr<InMemoryS3> server_ = std::make_shared<InMemoryS3>();
  std::unique_ptr<s3::S3Client> client_;
};

TEST_F(InMemoryS3Test, ListingsPageWithEitherApiAndDecodeKeys) {
  for (const std::string key : {"a/1", "a/2", "a/x/3", "b+c d", "ü/é", "z"}) server_->put("b", key, "x");
  const std::vector<std::string> all{"a/1", "a/2", "a/x/3", "b+c d", "z", "ü/é"};
  EXPECT_EQ(list_all("", "", 2), all);
  EXPECT_EQ(list_all("a/", "/", 1), (std::vector<std::string>{"a/1", "a/2", "a/x/"}));
  EXPECT_EQ(list_all("", "/", 1000), (std::vector<std::string>{"b+c d", "z", "a/", "ü/"}));
  const int v2_calls = server_->calls(S3Op::list_objects_v2);
  server_->refuse(S3Op::list_objects_v2);
  EXPECT_EQ(list_all("", "", 2), all);
  EXPECT_TRUE(client_->using_list_v1());
  EXPECT_EQ(server_->calls(S3Op::list_objects_v2), v2_calls + 1);  // refused once, then v1 for good
}

TEST_F(InMemoryS3Test, RangesPartsAndPreconditions) {
  std::string data(12 << 20, 'a');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  server_->put_multipart("b", "k", data, 5 << 20);
  const auto stored = *server_->object("b", "k");
  EXPECT_TRUE(stored.etag.ends_with("-3"));

  auto head = client_->head_object("b", "k", {.part_number = 1});
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size, 5u << 20);
  EXPECT_EQ(head->parts_count, 3);
  EXPECT_EQ(head->etag, stored.etag);

  std::string got;
  auto sink = [&](std::string_view chunk) -> Status {
    got.append(chunk);
    return {};
  };
  ASSERT_TRUE(client_->get_object("b", "k", {.range = s3::ByteRange{10, 19}}, sink).has_value());
  EXPECT_EQ(got, data.substr(10, 10));
  auto stale = client_->get_object("b", "k", {.if_match = "0123"}, sink);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code, "PreconditionFailed");
  server_->refuse(S3Op::head_object_part);
  EXPECT_EQ(client_->head_object("b", "k", {.part_number = 1}).error().http_status, 501);
}

TEST_F(InMemoryS3Test, PutChecksContentMd5AndMultipartEtagIsS3s) {
  s3::BodySource body{.size = 5, .data = "hello", .content_md5 = "XUFAKrxLKna5cZ2REBfFkg=="};  // MD5("hello")
  auto etag = client_->put_object("b", "k", body);
  ASSERT_TRUE(etag.has_value()) << etag.error().message;
  EXPECT_EQ(*etag, "5d41402abc4b2a76b9719d911017c592");
  body.data = "hellO";
  auto bad = client_->put_object("b", "k", body);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "BadDigest");

  const std::string part1(5 << 20, 'p'), part2 = "tail";
  auto id = client_->create_multipart_upload("b", "m");
  ASSERT_TRUE(id.has_value());
  auto e1 = client_->upload_part("b", "m", *id, 1, {.size = part1.size(), .data = part1});
  auto e2 = client_->upload_part("b", "m", *id, 2, {.size = part2.size(), .data = part2});
  ASSERT_TRUE(e1 && e2);
  auto done = client_->complete_multipart_upload("b", "m", *id, {{1, *e1}, {2, *e2}});
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->etag, InMemoryS3::multipart_etag({part1, part2}));
  EXPECT_EQ(server_->object("b", "m")->data, part1 + part2);
  EXPECT_TRUE(server_->uploads("b").empty());
}

TEST_F(InMemoryS3Test, FaultsFireOnTheCallsTheyName) {
  server_->put("b", "k", "0123456789");
  server_->add_fault({.op = S3Op::head_object, .nth = 2, .times = 2, .status = 403, .code = "AccessDenied"});
  EXPECT_TRUE(client_->head_object("b", "k").has_value());
  EXPECT_EQ(client_->head_object("b", "k").error().code, "AccessDenied");
  EXPECT_EQ(client_->head_object("b", "k").error().code, "AccessDenied");
  EXPECT_TRUE(client_->head_object("b", "k").has_value());
  EXPECT_EQ(server_->calls(S3Op::head_object), 4);

  server_->add_fault({.op = S3Op::get_object, .cut_after = 4});
  server_->add_fault({.op = S3Op::get_object, .nth = 3, .flip_at = 5});
  for (const std::string want : {"0123456789", "01234_6789"}) {
    std::string got;
    auto r = client_->get_object("b", "k", {}, [&](std::string_view c) -> Status {
      got.append(c);
      return {};
    });
    ASSERT_TRUE(r.has_value()) << r.error().message;
    std::string expected = want;
    if (expected[5] == '_') expected[5] = '5' ^ 1;
    EXPECT_EQ(got, expected);
  }
  EXPECT_EQ(server_->calls(S3Op::get_object), 3);  // cut, resumed, flipped
}

}  // namespace
}  // namespace s5j::testing
