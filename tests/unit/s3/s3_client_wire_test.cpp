// S3Client over the real libcurl transport against a scripted loopback
// server: the retry policy under 503 SlowDown bursts and connection resets
// at the TCP level, resumed downloads after a reset mid-body.
#include <gtest/gtest.h>

#include <atomic>

#include "http/curl_transport.h"
#include "s3/s3_client.h"
#include "support/fake_clock.h"
#include "support/local_http_server.h"

namespace s5j::s3 {
namespace {

using testing::FakeClock;
using testing::HttpAction;
using testing::HttpRequest;
using testing::LocalHttpServer;

const char* kSlowDown =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
    "<Message>Please reduce your request rate.</Message><RequestId>r1</RequestId></Error>";

struct Wire {
  FakeClock clock;  // backoff sleeps advance it instead of waiting
  LocalHttpServer server;
  std::unique_ptr<S3Client> client;
  explicit Wire(testing::HttpHandler handler) : server(std::move(handler)) {
    ClientOptions options;
    options.endpoint_urls = {server.url()};
    options.credentials = {"AKIDEXAMPLE", "wire-test-secret", ""};
    client = std::move(*make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{}), clock));
  }
};

TEST(S3ClientWire, SlowDownBurstIsRetriedUntilItPasses) {
  std::atomic<int> calls{0};
  Wire w([&](const HttpRequest&) {
    if (calls++ < 3) return HttpAction::respond(503, kSlowDown, {{"Content-Type", "application/xml"}});
    return HttpAction::respond(200, "", {{"ETag", "\"abc\""}});
  });
  std::vector<RequestEvent> events;
  w.client->set_observer([&](const RequestEvent& e) { events.push_back(e); });
  auto etag = w.client->put_object("b", "k", BodySource{.size = 5, .data = "hello"});
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  EXPECT_EQ(*etag, "abc");
  EXPECT_EQ(w.server.request_count(), 4u);
  ASSERT_EQ(events.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].http_status, 503);
    EXPECT_EQ(events[i].error_code, "SlowDown");
    EXPECT_TRUE(events[i].will_retry);
  }
  EXPECT_EQ(w.clock.sleeps().size(), 3u);
  // Every attempt carried the whole body.
  for (const auto& r : w.server.requests()) EXPECT_EQ(r.body, "hello");
}

TEST(S3ClientWire, ConnectionResetBeforeAnswerIsRetried) {
  std::atomic<int> calls{0};
  Wire w([&](const HttpRequest&) {
    if (calls++ < 2) return HttpAction::reset_connection();
    return HttpAction::respond(204);
  });
  auto r = w.client->delete_object("b", "k");
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(w.server.request_count(), 3u);
}

TEST(S3ClientWire, ResetMidBodyResumesFromTheBreak) {
  std::string object(200'000, '\0');
  for (size_t i = 0; i < object.size(); ++i) object[i] = static_cast<char>(i * 7 + 3);
  std::atomic<int> calls{0};
  Wire w([&](const HttpRequest& r) {
    if (calls++ == 0) {
      auto a = HttpAction::reset_mid_body(200, object, 70'000);
      a.header("ETag", "\"v1\"");
      return a;
    }
    // Resume: honour the Range the client asks for, if the ETag still matches.
    auto range = r.header("Range");
    auto if_match = r.header("If-Match");
    if (!range || !if_match || *if_match != "\"v1\"") return HttpAction::respond(400, "<Error><Code>Bad</Code></Error>");
    size_t from = std::stoul(std::string(range->substr(6)));
    auto a = HttpAction::respond(206, object.substr(from));
    a.header("ETag", "\"v1\"");
    a.header("Content-Range", "bytes " + std::to_string(from) + "-" + std::to_string(object.size() - 1) + "/" +
                                  std::to_string(object.size()));
    return a;
  });
  std::string received;
  auto head = w.client->get_object("b", "k", {}, [&](std::string_view chunk) -> Status {
    received.append(chunk);
    return {};
  });
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_TRUE(received == object);
  EXPECT_EQ(head->size, object.size());
  auto reqs = w.server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  auto range = reqs[1].header("Range");
  ASSERT_TRUE(range.has_value());
  EXPECT_GE(std::stoul(std::string(range->substr(6))), 1u);  // resumed, not restarted
  EXPECT_LE(std::stoul(std::string(range->substr(6))), 70'000u);
}

TEST(S3ClientWire, TruncatedBodyIsNeverTakenAsComplete) {
  std::atomic<int> calls{0};
  const std::string body(10'000, 'q');
  Wire w([&](const HttpRequest& r) {
    if (calls++ == 0) {
      auto a = HttpAction::truncate_body(200, body, 4'000);
      a.header("ETag", "\"t\"");
      return a;
    }
    size_t from = r.header("Range") ? std::stoul(std::string(r.header("Range")->substr(6))) : 0;
    auto a = HttpAction::respond(from ? 206 : 200, body.substr(from));
    a.header("ETag", "\"t\"");
    return a;
  });
  std::string received;
  auto head = w.client->get_object("b", "k", {}, [&](std::string_view c) -> Status {
    received.append(c);
    return {};
  });
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_EQ(received, body);
  EXPECT_EQ(w.server.request_count(), 2u);
}

TEST(S3ClientWire, PersistentSlowDownGivesUpWithRetryableError) {
  Wire w([&](const HttpRequest&) { return HttpAction::respond(503, kSlowDown); });
  auto r = w.client->head_bucket("b");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ServiceUnavailable");  // HEAD answers carry no body
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(w.server.request_count(), static_cast<size_t>(RetryOptions{}.max_attempts));
}

TEST(S3ClientWire, HtmlServerIsNotS3) {
  Wire w([&](const HttpRequest&) {
    return HttpAction::respond(404, "<html><body><h1>Not Found</h1></body></html>", {{"Content-Type", "text/html"}});
  });
  auto r = w.client->list_objects({.bucket = "b"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "NotS3");
  EXPECT_EQ(w.server.request_count(), 1u);
}

}  // namespace
}  // namespace s5j::s3
