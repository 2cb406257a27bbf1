// CurlTransport against LocalHttpServer on loopback (and, for TLS, an
// `openssl s_server` child with a certificate made at test time).
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

namespace s5j::http {
namespace {

using namespace std::chrono_literals;
using s5j::testing::HttpAction;
using s5j::testing::HttpRequest;
using s5j::testing::LocalHttpServer;

// Options that make a hung transfer fail within seconds instead of hanging
// the test run (a real failure still shows as a wrong error code).
NetworkOptions test_options() {
  NetworkOptions o;
  o.connect_timeout = 5s;
  o.low_speed_bytes_per_sec = 1;
  o.low_speed_time = 10s;
  return o;
}

Request get(std::string url) {
  Request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

// A loopback port with nothing listening on it.
uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // bound but never listening: connections are refused
  return ntohs(addr.sin_port);
}

bool is_retryable_drop(const Error& e) {
  return e.retryable() && (e.code == "ConnectionReset" || e.code == "RecvFailed");
}

TEST(CurlTransport, SendsPathAndQueryByteExact) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  const std::string target = "/b/a//b/./c/../d%2B%20e?list-type=2&prefix=a%2F.%2F&uploads=";
  auto r = transport.perform(get(server.url() + target));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, target);
  EXPECT_EQ(requests[0].version, "HTTP/1.1");
}

TEST(CurlTransport, SendsHeadersAsGivenWithoutExpectOrAccept) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  Request req = get(server.url() + "/k");
  req.headers = {{"x-amz-date", "20240101T000000Z"},
                 {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"},
                 {"x-amz-meta-empty", ""},
                 {"Range", "bytes=0-9"}};
  auto r = transport.perform(req);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  const auto got = server.requests().at(0);
  EXPECT_EQ(got.header("x-amz-date"), "20240101T000000Z");
  EXPECT_EQ(got.header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(got.header("x-amz-meta-empty"), "");
  EXPECT_EQ(got.header("Range"), "bytes=0-9");
  EXPECT_EQ(got.header("Host"), server.host_port());
  EXPECT_FALSE(got.header("Expect").has_value());
  EXPECT_FALSE(got.header("Accept").has_value());
}

TEST(CurlTransport, ReturnsStatusHeadersAndBody) {
  LocalHttpServer server([](const HttpRequest&) {
    return HttpAction::respond(206, "0123456789").header("ETag", "\"abc\"").header("x-amz-request-id", "R1");
  });
  CurlTransport transport(test_options());
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, "0123456789");
  EXPECT_EQ(r->body_bytes, 10u);
  EXPECT_EQ(find_header(r->headers, "etag"), "\"abc\"");
  EXPECT_EQ(find_header(r->headers, "X-AMZ-REQUEST-ID"), "R1");
  bool name_as_received = false;
  for (const auto& h : r->headers) name_as_received |= h.name == "x-amz-request-id";
  EXPECT_TRUE(name_as_received);
}

TEST(CurlTransport, StreamsUploadFromReaderWithContentLengthAndNoChunking) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  const std::string data = pattern(3 * 1024 * 1024 + 17);
  size_t offset = 0;
  size_t calls = 0;
  Request req;
  req.method = "PUT";
  req.url = server.url() + "/b/big";
  req.body_size = data.size();
  req.body_reader = [&](char* buf, size_t cap) -> Result<size_t> {
    ++calls;
    const size_t n = std::min({cap, data.size() - offset, size_t{70'001}});  // odd, small pieces
    std::memcpy(buf, data.data() + offset, n);
    offset += n;
    return n;
  };
  auto r = transport.perform(req);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  const auto got = server.requests().at(0);
  EXPECT_EQ(got.method, "PUT");
  EXPECT_FALSE(got.chunked);
  EXPECT_FALSE(got.header("Transfer-Encoding").has_value());
  EXPECT_FALSE(got.header("Expect").has_value());
  EXPECT_EQ(got.header("Content-Length"), std::to_string(data.size()));
  EXPECT_TRUE(got.body == data) << "upload corrupted";
  EXPECT_GT(calls, 1u);
}

TEST(CurlTransport, SendsMemoryBodyAndEmptyPostWithContentLength) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  Request put;
  put.method = "PUT";
  put.url = server.url() + "/b/small";
  put.body = "hello";
  ASSERT_TRUE(transport.perform(put).has_value());
  Request post;
  post.method = "POST";
  post.url = server.url() + "/b/k?uploads=";
  ASSERT_TRUE(transport.perform(post).has_value());
  Request del;
  del.method = "DELETE";
  del.url = server.url() + "/b/k";
  ASSERT_TRUE(transport.perform(del).has_value());
  Request typed = put;  // a caller's Content-Type (object metadata) is sent as given
  typed.headers = {{"Content-Type", "text/plain"}};
  ASSERT_TRUE(transport.perform(typed).has_value());
  Request larger = put;  // past what goes out with the headers
  larger.body = pattern(64 * 1024 + 1);
  ASSERT_TRUE(transport.perform(larger).has_value());

  const auto got = server.requests();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[0].body, "hello");
  EXPECT_EQ(got[0].header("Content-Length"), "5");
  EXPECT_FALSE(got[0].header("Content-Type").has_value());  // not curl's form type
  EXPECT_EQ(got[1].method, "POST");
  EXPECT_EQ(got[1].header("Content-Length"), "0");
  EXPECT_FALSE(got[1].header("Content-Type").has_value());
  EXPECT_EQ(got[2].method, "DELETE");
  EXPECT_TRUE(got[2].body.empty());
  EXPECT_FALSE(got[2].header("Content-Length").has_value());
  EXPECT_EQ(got[3].header("Content-Type"), "text/plain");
  EXPECT_EQ(got[3].body, "hello");
  EXPECT_EQ(got[4].method, "PUT");
  EXPECT_TRUE(got[4].body == larger.body) << "upload corrupted";
  EXPECT_EQ(got[4].header("Content-Length"), std::to_string(larger.body.size()));
}

TEST(CurlTransport, StreamsDownloadToSink) {
  const std::string data = pattern(5 * 1024 * 1024 + 3);
  LocalHttpServer server([&](const HttpRequest&) { return HttpAction::respond(200, data); });
  CurlTransport transport(test_options());
  std::string sunk;
  size_t chunks = 0;
  Request req = get(server.url() + "/b/big");
  req.sink = [&](std::string_view chunk) -> Status {
    ++chunks;
    sunk.append(chunk);
    return {};
  };
  auto r = transport.perform(req);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->body_bytes, data.size());
  EXPECT_TRUE(sunk == data) << "download corrupted";
  EXPECT_GT(chunks, 1u);
}

// The expected size only sizes the receive buffer: a hint that is wrong
// costs speed, never bytes.
TEST(CurlTransport, AWrongExpectedSizeLosesNothing) {
  const std::string data = pattern(2 * 1024 * 1024 + 5);
  LocalHttpServer server([&](const HttpRequest&) { return HttpAction::respond(200, data); });
  CurlTransport transport(test_options());
  std::string sunk;
  Request req = get(server.url() + "/b/big");
  req.expected_response_bytes = 100;  // far less than arrives
  req.sink = [&](std::string_view chunk) -> Status {
    sunk.append(chunk);
    return {};
  };
  auto r = transport.perform(req);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body_bytes, data.size());
  EXPECT_TRUE(sunk == data) << "download corrupted";
}

// Buffers fit what the request moves, between libcurl's 16 KiB floor and
// 512 KiB: libcurl allocates them afresh for every transfer.
TEST(TransferBuffers, FitWhatTheRequestMoves) {
  constexpr long kFloor = 16 * 1024, kCap = 512 * 1024;
  Request small_get = get("http://h/b/k");
  small_get.expected_response_bytes = 16 * 1024;
  EXPECT_EQ(transfer_buffers(small_get).receive, kFloor);
  EXPECT_EQ(transfer_buffers(small_get).upload, kFloor);

  Request part_get = get("http://h/b/k");
  part_get.expected_response_bytes = 64ull << 20;
  EXPECT_EQ(transfer_buffers(part_get).receive, kCap);
  EXPECT_EQ(transfer_buffers(get("http://h/b/k")).receive, kCap);  // unknown size: may be large

  Request put;
  put.method = "PUT";
  put.url = "http://h/b/k";
  put.body = std::string(100 * 1024, 'x');
  EXPECT_EQ(transfer_buffers(put).upload, 100 * 1024);
  EXPECT_EQ(transfer_buffers(put).receive, kFloor);  // the answer is headers
  Request streamed = put;
  streamed.body.clear();
  streamed.body_size = 5ull << 30;
  streamed.body_reader = [](char*, size_t) -> Result<size_t> { return size_t{0}; };
  EXPECT_EQ(transfer_buffers(streamed).upload, kCap);

  Request head = get("http://h/b/k");
  head.method = "HEAD";
  EXPECT_EQ(transfer_buffers(head).receive, kFloor);
}

TEST(CurlTransport, CollectsErrorBodyEvenWithSink) {
  const std::string xml = "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>";
  LocalHttpServer server([&](const HttpRequest&) { return HttpAction::respond(503, xml); });
  CurlTransport transport(test_options());
  bool sink_called = false;
  Request req = get(server.url() + "/b/k");
  req.sink = [&](std::string_view) -> Status {
    sink_called = true;
    return {};
  };
  auto r = transport.perform(req);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, xml);
  EXPECT_FALSE(sink_called);
}

TEST(CurlTransport, OnHeadersRunsOnceBeforeTheBodyAndCanAbort) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::respond(200, "body").header("ETag", "\"e1\""); });
  CurlTransport transport(test_options());
  std::vector<std::string> events;
  Request req = get(server.url() + "/k");
  req.on_headers = [&](int status, const Headers& headers) -> Status {
    events.push_back("headers " + std::to_string(status) + " " + std::string(find_header(headers, "ETag").value_or("")));
    return {};
  };
  req.sink = [&](std::string_view chunk) -> Status {
    events.push_back("body " + std::string(chunk));
    return {};
  };
  ASSERT_TRUE(transport.perform(req).has_value());
  EXPECT_EQ(events, (std::vector<std::string>{"headers 200 \"e1\"", "body body"}));

  req.on_headers = [](int, const Headers&) -> Status {
    return make_error(ErrorKind::permanent, "SourceChanged", "ETag differs");
  };
  events.clear();
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "SourceChanged");
  EXPECT_TRUE(events.empty());
}

TEST(CurlTransport, HeadDoesNotWaitForTheAnnouncedBody) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::respond(200, std::string(1000, 'x')); });
  NetworkOptions options = test_options();
  options.low_speed_time = 3s;  // a HEAD waiting for 1000 bytes would end in Timeout
  CurlTransport transport(options);
  Request req = get(server.url() + "/b/k");
  req.method = "HEAD";
  auto r = transport.perform(req);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(find_header(r->headers, "Content-Length"), "1000");
  EXPECT_EQ(r->body_bytes, 0u);
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
  // The connection is still usable afterwards.
  ASSERT_TRUE(transport.perform(get(server.url() + "/b/k")).has_value());
  EXPECT_EQ(server.connection_count(), 1u);
}

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

TEST(CurlTransport, KeepsOneConnectionAliveForSequentialRequests) {
  LocalHttpServer server([](const HttpRequest& r) { return HttpAction::respond(200, r.target); });
  CurlTransport transport(test_options());
  for (int i = 0; i < 20; ++i) {
    Request req = get(server.url() + "/k" + std::to_string(i));
    if (i % 2 == 1) {  // uploads must not spoil reuse either
      req.method = "PUT";
      req.body = "x";
    }
    auto r = transport.perform(req);
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    if (i % 2 == 0) {
      EXPECT_EQ(r->body, "/k" + std::to_string(i));
    }
  }
  EXPECT_EQ(server.request_count(), 20u);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(CurlTransport, ReconnectsWhenTheServerClosesAfterAnswering) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::respond(200, "ok").header("Connection", "close"); });
  CurlTransport transport(test_options());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(transport.perform(get(server.url() + "/k")).has_value());
  EXPECT_EQ(server.connection_count(), 3u);
}

TEST(CurlTransport, ServesEightThreadsAtOnce) {
  LocalHttpServer server([](const HttpRequest& r) { return HttpAction::respond(200, r.target + "|" + r.body); });
  CurlTransport transport(test_options());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        Request req;
        req.method = "PUT";
        req.url = server.url() + path;
        req.body = pattern(1000 + static_cast<size_t>(t * 100 + i));
        auto r = transport.perform(req);
        if (!r || r->status != 200 || r->body != path + "|" + req.body) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.request_count(), static_cast<size_t>(kThreads * kPerThread));
  // Handles are pooled: no more connections than concurrent requests.
  EXPECT_LE(server.connection_count(), static_cast<size_t>(kThreads));
}

TEST(CurlTransport, SendsAbsoluteUriThroughProxy) {
  LocalHttpServer proxy;
  NetworkOptions options = test_options();
  options.proxy = proxy.url();
  CurlTransport transport(options);
  const std::string url = "http://s3.example.invalid:9000/b/a//./c/../k%2B?x=1";
  auto r = transport.perform(get(url));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  const auto got = proxy.requests().at(0);
  EXPECT_EQ(got.target, url);
  EXPECT_EQ(got.header("Host"), "s3.example.invalid:9000");
}

TEST(CurlTransport, IgnoresEnvironmentProxyWhenNoneConfigured) {
  LocalHttpServer env_proxy;
  LocalHttpServer server;
  const std::string saved = std::getenv("http_proxy") != nullptr ? std::getenv("http_proxy") : "";
  ::setenv("http_proxy", env_proxy.url().c_str(), 1);
  CurlTransport transport(test_options());
  auto r = transport.perform(get(server.url() + "/k"));
  if (saved.empty())
    ::unsetenv("http_proxy");
  else
    ::setenv("http_proxy", saved.c_str(), 1);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(env_proxy.request_count(), 0u);
}

TEST(CurlTransport, BindsToLoopbackInterface) {
  LocalHttpServer server;
  NetworkOptions options = test_options();
  options.bind_interface = "lo";
  CurlTransport transport(options);
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
}

TEST(CurlTransport, UnknownBindInterfaceNamesTheSetting) {
  LocalHttpServer server;
  NetworkOptions options = test_options();
  options.bind_interface = "s5jnosuchif0";
  CurlTransport transport(options);
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ConnectFailed") << r.error().describe();
  EXPECT_NE(r.error().message.find("bind_interface 's5jnosuchif0'"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(CurlTransport, MissingCaBundleIsATlsCertificateError) {
  LocalHttpServer server;  // plain TCP is enough: the bundle loads before the handshake
  NetworkOptions options = test_options();
  options.ca_bundle = "/nonexistent/s5j/ca.pem";
  CurlTransport transport(options);
  auto r = transport.perform(get("https://127.0.0.1:" + std::to_string(server.port()) + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "TlsCertificate") << r.error().describe();
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("ca_bundle '/nonexistent/s5j/ca.pem'"), std::string::npos) << r.error().message;
}

TEST(CurlTransport, SinkErrorIsReturnedAsIs) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::respond(200, pattern(1'000'000)); });
  CurlTransport transport(test_options());
  Request req = get(server.url() + "/k");
  req.sink = [](std::string_view) -> Status { return make_error(ErrorKind::fatal, "DiskFull", "no space left"); };
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "DiskFull");
  EXPECT_EQ(r.error().kind, ErrorKind::fatal);
  // The transport is still usable.
  ASSERT_TRUE(transport.perform(get(server.url() + "/k")).has_value());
}

TEST(CurlTransport, ReaderErrorIsReturnedAsIs) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  Request req;
  req.method = "PUT";
  req.url = server.url() + "/k";
  req.body_size = 1'000'000;
  int calls = 0;
  req.body_reader = [&](char* buf, size_t cap) -> Result<size_t> {
    if (++calls > 2) return make_error(ErrorKind::permanent, "SourceReadFailed", "source went away");
    const size_t n = std::min(cap, size_t{1000});
    std::memset(buf, 'a', n);
    return n;
  };
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "SourceReadFailed");
}

TEST(CurlTransport, ReaderEndingEarlyIsBodyAborted) {
  LocalHttpServer server;
  CurlTransport transport(test_options());
  Request req;
  req.method = "PUT";
  req.url = server.url() + "/k";
  req.body_size = 100;
  bool done = false;
  req.body_reader = [&](char* buf, size_t) -> Result<size_t> {
    if (done) return size_t{0};
    done = true;
    std::memset(buf, 'a', 60);
    return size_t{60};
  };
  auto r = transport.perform(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "BodyAborted");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("60 of 100"), std::string::npos) << r.error().message;
}

TEST(CurlTransport, CapsBandwidthThroughTheSharedRateLimiter) {
  const std::string data = pattern(1'000'000);
  LocalHttpServer server([&](const HttpRequest& r) { return HttpAction::respond(200, r.method == "GET" ? data : ""); });
  testing_clock::FakeClock clock;  // sleeping advances fake time at once
  NetworkOptions options = test_options();
  options.max_bytes_per_sec = 100'000;
  CurlTransport transport(options, clock);

  auto r = transport.perform(get(server.url() + "/down"));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  ASSERT_EQ(r->body, data);
  // 1,000,000 bytes minus a 64 KiB burst at 100,000 B/s: at least 9.34 s of
  // (fake) waiting; rounding adds at most 1 ms per wait.
  const auto down = clock.total_slept();
  EXPECT_GE(down, 9344ms);
  EXPECT_LE(down, 9344ms + std::chrono::milliseconds(clock.sleeps().size()));

  Request put;
  put.method = "PUT";
  put.url = server.url() + "/up";
  put.body = data;
  ASSERT_TRUE(transport.perform(put).has_value());
  // Uploads draw from the same bucket: another 10 s of traffic.
  EXPECT_GE(clock.total_slept() - down, 9900ms);
}

// --- TLS against a real OpenSSL server ------------------------------------

// `openssl s_server -www` with a self-signed certificate for 127.0.0.1, made
// at test time. Skips the test when the openssl tool is missing.
class OpensslServer {
 public:
  bool start(std::string* why) {
    dir_ = s5j::testing::make_temp_dir("tls");
    cert_ = dir_ + "/cert.pem";
    const std::string key = dir_ + "/key.pem";
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                            key + " -out " + cert_ + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      *why = "openssl req failed (openssl tool missing?)";
      return false;
    }
    int out[2];
    if (::pipe(out) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      const int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, STDERR_FILENO);  // handshake failures are expected here
      ::close(out[0]);
      ::close(out[1]);
      ::execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert_.c_str(), "-key",
               key.c_str(), "-www", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    out_fd_ = out[0];
    // The server prints "ACCEPT 127.0.0.1:<port>" once it listens. Bounded
    // wait so a broken openssl cannot hang the test run.
    std::string text;
    for (;;) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0) break;
      char buf[512];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find("ACCEPT ");
      const size_t eol = at == std::string::npos ? at : text.find('\n', at);
      if (eol != std::string::npos) {
        const std::string line = text.substr(at, eol - at);
        port_ = std::stoi(line.substr(line.rfind(':') + 1));
        break;
      }
    }
    if (port_ == 0) *why = "openssl s_server did not start";
    return port_ != 0;
  }
  ~OpensslServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  const std::string& cert() const { return cert_; }

 private:
  std::string dir_, cert_;
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
};

TEST(CurlTransport, TlsSelfSignedNeedsCaBundle) {
  OpensslServer tls;
  std::string why;
  if (!tls.start(&why)) GTEST_SKIP() << why;

  CurlTransport untrusted(test_options());
  auto r = untrusted.perform(get(tls.url()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "TlsCertificate") << r.error().describe();
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("ca_bundle"), std::string::npos) << r.error().message;

  NetworkOptions options = test_options();
  options.ca_bundle = tls.cert();
  CurlTransport trusted(options);
  auto ok = trusted.perform(get(tls.url()));
  ASSERT_TRUE(ok.has_value()) << ok.error().describe();
  EXPECT_EQ(ok->status, 200);

  NetworkOptions insecure = test_options();
  insecure.insecure_skip_verify = true;
  CurlTransport skipping(insecure);
  auto ok2 = skipping.perform(get(tls.url()));
  ASSERT_TRUE(ok2.has_value()) << ok2.error().describe();
}

TEST(CurlTransport, PlainHttpToTlsPortIsARetryableProtocolError) {
  OpensslServer tls;
  std::string why;
  if (!tls.start(&why)) GTEST_SKIP() << why;
  NetworkOptions options = test_options();
  options.low_speed_time = 3s;
  CurlTransport transport(options);
  std::string url = tls.url();
  url.replace(0, 5, "http");
  auto r = transport.perform(get(url));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().retryable()) << r.error().describe();
}

}  // namespace
}  // namespace s5j::http
