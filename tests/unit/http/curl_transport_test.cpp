// CurlTransport against LocalHttpServer on loopback: requests and bodies as
// sent and received, the caller's callbacks, the bandwidth cap.
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

}  // namespace
}  // namespace s5j::http
