// CurlTransport against LocalHttpServer on loopback: failed connections,
// dropped, cut and slow answers, each as the Error the Transport contract
// names.
#include "http/curl_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/local_http_server.h"
#include "support/test_env.h"
#include "unit/http/fake_clock.h"
#include "unit/http/curl_test_support.h"

namespace s5j::http {
namespace {

using namespace std::chrono_literals;
using s5j::testing::HttpAction;
using s5j::testing::HttpRequest;
using s5j::testing::LocalHttpServer;

TEST(CurlTransport, ConnectionRefusedIsRetryableConnectFailed) {
  const uint16_t port = closed_port();
  CurlTransport transport(test_options());
  auto r = transport.perform(get("http://127.0.0.1:" + std::to_string(port) + "/b/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ConnectFailed");
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("connection refused"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().endpoint, "http://127.0.0.1:" + std::to_string(port));
}

TEST(CurlTransport, UnresolvableHostIsRetryableResolveFailed) {
  CurlTransport transport(test_options());
  auto r = transport.perform(get("http://s5j-no-such-host.invalid/b/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ResolveFailed") << r.error().describe();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("s5j-no-such-host.invalid"), std::string::npos);
}

// Regression: libcurl 7.88 refuses CURLOPT_BUFFERSIZE on the request after a
// failed resolution; the pooled handle must still serve the next request.
TEST(CurlTransport, PooledHandleWorksAfterResolveFailure) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  ASSERT_FALSE(transport.perform(get("http://s5j-no-such-host.invalid/b/k")).has_value());
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
}

TEST(CurlTransport, RefusesNonHttpSchemes) {
  CurlTransport transport(test_options());
  auto r = transport.perform(get("ftp://127.0.0.1:" + std::to_string(closed_port()) + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "TransportError") << r.error().describe();
  EXPECT_FALSE(r.error().retryable());
}

TEST(CurlTransport, ErrorsNeverCarrySecrets) {
  const uint16_t port = closed_port();
  NetworkOptions options = test_options();
  CurlTransport transport(options);
  Request req = get("http://127.0.0.1:" + std::to_string(port) + "/b/k?X-Amz-Signature=SECRETSIG");
  req.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSECRET/..., Signature=SECRETSIG"}};
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  const std::string all = r.error().describe();
  EXPECT_EQ(all.find("SECRET"), std::string::npos) << all;

  options.proxy = "http://user:PROXYSECRET@127.0.0.1:" + std::to_string(port);
  CurlTransport proxied(options);
  auto p = proxied.perform(req);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, "ProxyFailed");
  EXPECT_EQ(p.error().describe().find("SECRET"), std::string::npos) << p.error().describe();
}

TEST(CurlTransport, ResetBeforeAnswerIsRetryable) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::reset_connection(); });
  CurlTransport transport(test_options());
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(is_retryable_drop(r.error())) << r.error().describe();
}

TEST(CurlTransport, CloseWithoutAnswerIsRetryable) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::close_connection(); });
  CurlTransport transport(test_options());
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ConnectionReset") << r.error().describe();
  EXPECT_TRUE(r.error().retryable());
}

// libcurl resends a request by itself, once, when a reused keep-alive
// connection dies before any byte of the answer (the server may have timed it
// out). Fault tests that want the caller to see a drop must drop a fresh
// connection, or drop twice. A small memory body, which goes out with the
// headers, is resent the same way.
TEST(CurlTransport, ResendsOnceWhenAReusedConnectionDiesBeforeAnswering) {
  Request put;
  put.method = "PUT";
  put.body = "small body";
  for (Request second : {get(""), put}) {
    SCOPED_TRACE(second.method);
    std::atomic<int> calls{0};
    LocalHttpServer server([&](const HttpRequest&) {
      return ++calls == 2 ? HttpAction::close_connection() : HttpAction::respond(200, "ok");
    });
    CurlTransport transport(test_options());
    ASSERT_TRUE(transport.perform(get(server.url() + "/1")).has_value());
    second.url = server.url() + "/2";
    auto r = transport.perform(second);
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->status, 200);
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[1].target, "/2");
    EXPECT_EQ(seen[2].target, "/2");
    EXPECT_EQ(seen[2].method, second.method);
    EXPECT_EQ(seen[2].body, second.body);
    EXPECT_EQ(server.connection_count(), 2u);
  }
}

TEST(CurlTransport, StreamedUploadOnADroppedReusedConnectionIsRetryable) {
  // The reader cannot rewind, so curl's automatic resend is impossible: the
  // caller gets a retryable error and starts over with a fresh reader.
  std::atomic<int> calls{0};
  LocalHttpServer server([&](const HttpRequest&) {
    return ++calls == 2 ? HttpAction::close_connection() : HttpAction::respond(200);
  });
  CurlTransport transport(test_options());
  ASSERT_TRUE(transport.perform(get(server.url() + "/warm")).has_value());
  const std::string data = pattern(200'000);
  size_t offset = 0;
  Request req;
  req.method = "PUT";
  req.url = server.url() + "/k";
  req.body_size = data.size();
  req.body_reader = [&](char* buf, size_t cap) -> Result<size_t> {
    const size_t n = std::min(cap, data.size() - offset);
    std::memcpy(buf, data.data() + offset, n);
    offset += n;
    return n;
  };
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().retryable()) << r.error().describe();
}

TEST(CurlTransport, TruncatedBodyIsRetryable) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::truncate_body(200, pattern(100'000), 40'000); });
  CurlTransport transport(test_options());
  uint64_t sunk = 0;
  Request req = get(server.url() + "/k");
  req.sink = [&](std::string_view c) -> Status {
    sunk += c.size();
    return {};
  };
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "RecvFailed") << r.error().describe();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("40000 of 100000"), std::string::npos) << r.error().message;
  EXPECT_EQ(sunk, 40'000u);
}

TEST(CurlTransport, ResetMidBodyIsRetryable) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::reset_mid_body(200, pattern(100'000), 1000); });
  CurlTransport transport(test_options());
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(is_retryable_drop(r.error())) << r.error().describe();
}

TEST(CurlTransport, SlowAnswerTimesOut) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::respond(200, "late").after(60s); });
  NetworkOptions options = test_options();
  options.low_speed_bytes_per_sec = 1000;
  options.low_speed_time = 1s;
  CurlTransport transport(options);
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().describe();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("stalled"), std::string::npos) << r.error().message;
}

TEST(CurlTransport, TrickledBodyBelowLowSpeedTimesOut) {
  LocalHttpServer server(
      [](const HttpRequest&) { return HttpAction::respond(200, std::string(100'000, 'x')).trickle(10, 200ms); });
  NetworkOptions options = test_options();
  options.low_speed_bytes_per_sec = 1000;
  options.low_speed_time = 1s;
  CurlTransport transport(options);
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().describe();
}

}  // namespace
}  // namespace s5j::http
