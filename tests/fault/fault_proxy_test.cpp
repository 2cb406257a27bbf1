// FaultProxy forwarding (byte-exact heads, Host kept, keep-alive, streamed
// bodies, chunked and 100-continue), reproducible fault sequences, filters,
// throttling and counters, with a LocalHttpServer as the upstream.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "fault/proxy_test_util.h"

namespace s5j::testing {
namespace {

class ProxyForwarding : public ::testing::Test {
 protected:
  LocalHttpServer upstream_{upstream_routes()};
  FaultProxy proxy_{{.upstream = upstream_.url()}};
  std::shared_ptr<http::CurlTransport> client_ = make_transport();
};

TEST_F(ProxyForwarding, ForwardsHeadsByteExactWithHostUnchangedOverKeptAliveConnections) {
  const std::string target = "/b/a//k%2Fx/./y?x=1&empty=&z=%20";
  for (int i = 0; i < 5; ++i) {
    auto r = send_request(*client_, "GET", proxy_.url() + target, {}, {{"x-amz-meta-Odd", "  spaced value"}});
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
  }
  auto put = send_request(*client_, "PUT", proxy_.url() + "/b/k", "hello");
  ASSERT_TRUE(put.has_value()) << put.error().describe();
  EXPECT_EQ(http::find_header(put->headers, "ETag").value_or(""), "\"5\"");

  const auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[0].target, target);
  EXPECT_EQ(requests[0].header("Host").value_or(""), proxy_.host_port());
  EXPECT_EQ(requests[0].header("x-amz-meta-Odd").value_or(""), "spaced value");
  EXPECT_EQ(requests[5].body, "hello");
  EXPECT_EQ(upstream_.connection_count(), 1u);

  const auto c = proxy_.counters();
  EXPECT_EQ(c.connections_accepted, 1u);
  EXPECT_EQ(c.requests_seen, 6u);
  EXPECT_EQ(c.requests_forwarded, 6u);
  EXPECT_EQ(c.requests_faulted, 0u);
  EXPECT_GT(c.bytes_to_upstream, 6 * target.size() / 2);
  EXPECT_GT(c.bytes_to_client, 5 * 2u);
}

TEST_F(ProxyForwarding, StreamsLargeBodiesBothWays) {
  const size_t size = 24 * 1024 * 1024;
  const std::string data = pattern_bytes(size, 3);
  size_t offset = 0;
  http::Request put{.method = "PUT", .url = proxy_.url() + "/b/big"};
  put.body_size = size;
  put.body_reader = [&](char* buffer, size_t capacity) -> Result<size_t> {
    const size_t n = std::min(capacity, size - offset);
    std::memcpy(buffer, data.data() + offset, n);
    offset += n;
    return n;
  };
  auto stored = client_->perform(put);
  ASSERT_TRUE(stored.has_value()) << stored.error().describe();
  ASSERT_EQ(upstream_.request_count(), 1u);
  EXPECT_TRUE(upstream_.requests()[0].body == data);

  std::string received;
  http::Request get{.method = "GET", .url = proxy_.url() + "/data/" + std::to_string(size)};
  get.sink = [&](std::string_view chunk) -> Status {
    received.append(chunk);
    return {};
  };
  auto got = client_->perform(get);
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  EXPECT_EQ(got->body_bytes, size);
  EXPECT_TRUE(received == pattern_bytes(size));
  const auto c = proxy_.counters();
  EXPECT_GT(c.bytes_to_upstream, size);
  EXPECT_GT(c.bytes_to_client, size);
}

// A raw client: the CurlTransport always sends a Content-Length.
TEST_F(ProxyForwarding, ForwardsAChunkedRequestBody) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(proxy_.port());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const timeval limit{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  const std::string request =
      "PUT /b/chunked HTTP/1.1\r\nHost: " + proxy_.host_port() +
      "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[4096];
  for (int i = 0; i < 100; ++i) {  // until the proxy closes (Connection: close)
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  ASSERT_EQ(upstream_.request_count(), 1u);
  EXPECT_TRUE(upstream_.requests()[0].chunked);
  EXPECT_EQ(upstream_.requests()[0].body, "hello world");
}

TEST_F(ProxyForwarding, HonoursExpectContinue) {
  auto r = send_request(*client_, "PUT", proxy_.url() + "/b/k", pattern_bytes(100000),
                        {{"Expect", "100-continue"}});
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(upstream_.request_count(), 1u);
  EXPECT_TRUE(upstream_.requests()[0].body == pattern_bytes(100000));
}

TEST_F(ProxyForwarding, AnUnreachableUpstreamLooksLikeAResetConnection) {
  uint16_t dead_port;
  {
    LocalHttpServer gone;
    dead_port = gone.port();
  }  // nothing listens there any more
  FaultProxy proxy({.upstream = "http://127.0.0.1:" + std::to_string(dead_port)});
  auto r = send_request(*client_, "GET", proxy.url() + "/x");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().retryable()) << r.error().describe();
  EXPECT_EQ(proxy.counters().upstream_failures, 1u);
}

TEST(FaultProxyAddresses, RefusesAnythingButLoopback) {
  EXPECT_THROW(FaultProxy({.listen = "0.0.0.0:0", .upstream = "http://127.0.0.1:1"}), std::invalid_argument);
  EXPECT_THROW(FaultProxy({.listen = "192.168.1.1:0", .upstream = "http://127.0.0.1:1"}), std::invalid_argument);
  EXPECT_THROW(FaultProxy({.upstream = "http://10.0.0.1:80"}), std::invalid_argument);
  EXPECT_THROW(FaultProxy({.upstream = "http://localhost:80"}), std::invalid_argument);
  EXPECT_THROW(FaultProxy({.upstream = "https://127.0.0.1:443"}), std::invalid_argument);
  EXPECT_THROW(FaultProxy({.upstream = "http://127.0.0.1"}), std::invalid_argument);
  FaultProxy ok({.listen = "127.0.0.1:0", .upstream = "http://127.0.0.2:9/"});
  EXPECT_GT(ok.port(), 0);
  EXPECT_EQ(ok.url(), "http://127.0.0.1:" + std::to_string(ok.port()));
}

// Statuses of `n` sequential GETs through a fresh proxy with `plan`.
std::vector<int> status_sequence(const FaultPlan& plan, size_t n, std::vector<FaultRecord>* records = nullptr) {
  LocalHttpServer upstream(upstream_routes());
  FaultProxy proxy({.upstream = upstream.url(), .plan = plan});
  auto client = make_transport();
  std::vector<int> statuses;
  for (size_t i = 0; i < n; ++i) {
    auto r = send_request(*client, "GET", proxy.url() + "/b/k" + std::to_string(i));
    statuses.push_back(r ? r->status : -1);
  }
  if (records != nullptr) *records = proxy.decisions();
  return statuses;
}

TEST(FaultProxySequence, SameSeedSameFaultsOtherSeedOtherFaults) {
  FaultPlan plan{.seed = 2024,
                 .rate = 0.3,
                 .kinds = {FaultKind::status_500, FaultKind::status_503, FaultKind::status_429}};
  std::vector<FaultRecord> first_records, second_records;
  const auto first = status_sequence(plan, 120, &first_records);
  const auto second = status_sequence(plan, 120, &second_records);
  EXPECT_EQ(first, second);
  ASSERT_EQ(first_records.size(), 120u);
  ASSERT_EQ(second_records.size(), 120u);
  size_t faulted = 0;
  for (size_t i = 0; i < first_records.size(); ++i) {
    EXPECT_EQ(first_records[i].kind, second_records[i].kind);
    EXPECT_EQ(first_records[i].kind, decide_fault(plan.seed, plan.rate, plan.kinds, i).kind);
    EXPECT_EQ(first_records[i].target, "/b/k" + std::to_string(i));
    faulted += first_records[i].kind ? 1 : 0;
  }
  EXPECT_GT(faulted, 0u);
  EXPECT_LT(faulted, 120u);

  plan.seed = 2025;
  EXPECT_NE(status_sequence(plan, 120), first);
}

TEST_F(ProxyForwarding, SetPlanRestartsTheSequence) {
  FaultPlan plan{.seed = 77, .rate = 0.5, .kinds = {FaultKind::status_500}};
  std::vector<int> runs[2];
  for (auto& run : runs) {
    proxy_.set_plan(plan);
    for (int i = 0; i < 40; ++i) {
      auto r = send_request(*client_, "GET", proxy_.url() + "/x");
      ASSERT_TRUE(r.has_value()) << r.error().describe();
      run.push_back(r->status);
    }
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST_F(ProxyForwarding, FilterLimitsFaultsToMatchingRequests) {
  auto plan = always(FaultKind::status_500);
  plan.filter.operations = {"UploadPart"};
  proxy_.set_plan(plan);
  auto whole = send_request(*client_, "PUT", proxy_.url() + "/b/k", "x");
  auto part = send_request(*client_, "PUT", proxy_.url() + "/b/k?partNumber=1&uploadId=u1", "x");
  auto get = send_request(*client_, "GET", proxy_.url() + "/b/k?partNumber=1&uploadId=u1");
  ASSERT_TRUE(whole && part && get);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(part->status, 500);
  EXPECT_EQ(get->status, 200);
  const auto records = proxy_.decisions();
  ASSERT_EQ(records.size(), 1u);  // only eligible requests draw
  EXPECT_EQ(records[0].method, "PUT");

  plan.filter = RequestFilter{.methods = {"GET"}, .path = std::regex("^/data/")};
  proxy_.set_plan(plan);
  auto other = send_request(*client_, "GET", proxy_.url() + "/b/k");
  auto data = send_request(*client_, "GET", proxy_.url() + "/data/3");
  ASSERT_TRUE(other && data);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(data->status, 500);
}

TEST_F(ProxyForwarding, MaxFaultsBoundsTheFaultBudget) {
  proxy_.set_plan(always(FaultKind::status_503, 2));
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) {
    auto r = send_request(*client_, "GET", proxy_.url() + "/x");
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    statuses.push_back(r->status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{503, 503, 200, 200, 200}));
}

TEST_F(ProxyForwarding, SustainedThrottlingAnswersSlowDownUntilStopped) {
  proxy_.start_throttle({.fraction = 1.0});
  EXPECT_TRUE(proxy_.throttling());
  for (int i = 0; i < 10; ++i) {
    auto r = send_request(*client_, "PUT", proxy_.url() + "/b/k", "body");
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->status, 503);
    EXPECT_NE(r->body.find("<Code>SlowDown</Code>"), std::string::npos);
  }
  proxy_.stop_throttle();
  EXPECT_FALSE(proxy_.throttling());
  auto r = send_request(*client_, "GET", proxy_.url() + "/x");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  const auto c = proxy_.counters();
  EXPECT_EQ(c.throttled, 10u);
  EXPECT_EQ(c.requests_faulted, 10u);
  EXPECT_EQ(upstream_.request_count(), 1u);
  EXPECT_EQ(c.connections_accepted, 1u);  // throttled uploads were drained, the connection kept
}

TEST_F(ProxyForwarding, FractionalThrottlingFollowsTheSeed) {
  const ThrottleWindow window{.fraction = 0.4, .filter = {.methods = {"GET"}}, .seed = 5};
  proxy_.start_throttle(window);
  size_t expected = 0, throttled = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    auto r = send_request(*client_, "GET", proxy_.url() + "/x");
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    const bool expect_throttle = decide_throttle(window.seed, window.fraction, i);
    EXPECT_EQ(r->status, expect_throttle ? 503 : 200) << i;
    expected += expect_throttle ? 1 : 0;
    throttled += r->status == 503 ? 1 : 0;
  }
  auto put = send_request(*client_, "PUT", proxy_.url() + "/b/k", "x");  // outside the filter
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(put->status, 200);
  EXPECT_EQ(throttled, expected);
  EXPECT_EQ(proxy_.counters().throttled, expected);
}

TEST_F(ProxyForwarding, ManyConcurrentClientsWithMixedFaults) {
  proxy_.set_plan({.seed = 11,
                   .rate = 0.3,
                   .kinds = {FaultKind::reset_before, FaultKind::reset_mid_body, FaultKind::reset_after_body,
                             FaultKind::truncate, FaultKind::flip_byte, FaultKind::status_503}});
  constexpr int kThreads = 8, kRequests = 40;
  std::atomic<int> ok{0}, flipped{0}, throttled{0}, failed{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = make_transport();
      for (int i = 0; i < kRequests; ++i) {
        const size_t size = 1000 + static_cast<size_t>(t * 7919 + i * 104729) % 200000;
        auto r = send_request(*client, "GET", proxy_.url() + "/data/" + std::to_string(size));
        if (!r) {
          ++failed;
        } else if (r->status == 503) {
          ++throttled;
        } else if (r->status != 200 || r->body.size() != size) {
          ++wrong;
        } else {
          const size_t diff = differing_bytes(r->body, pattern_bytes(size));
          if (diff == 0) ++ok;
          else if (diff == 1) ++flipped;
          else ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok + flipped + throttled + failed, kThreads * kRequests);
  EXPECT_EQ(wrong.load(), 0);
  const auto c = proxy_.counters();
  EXPECT_EQ(static_cast<uint64_t>(flipped.load()), c.faulted(FaultKind::flip_byte));
  EXPECT_EQ(static_cast<uint64_t>(throttled.load()), c.faulted(FaultKind::status_503));
  uint64_t by_kind = 0;
  for (auto n : c.faulted_by_kind) by_kind += n;
  EXPECT_EQ(by_kind, c.requests_faulted);
  EXPECT_GE(c.requests_seen, static_cast<uint64_t>(kThreads * kRequests));
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(failed.load(), 0);
}

TEST_F(ProxyForwarding, CountersResetAndSerialise) {
  ASSERT_TRUE(send_request(*client_, "GET", proxy_.url() + "/x").has_value());
  auto j = nlohmann::json::parse(proxy_.counters().to_json());
  EXPECT_EQ(j.at("requests_seen"), 1);
  EXPECT_EQ(j.at("requests_forwarded"), 1);
  proxy_.reset_counters();
  EXPECT_EQ(proxy_.counters().requests_seen, 0u);
  EXPECT_EQ(proxy_.counters().bytes_to_client, 0u);
}

}  // namespace
}  // namespace s5j::testing
