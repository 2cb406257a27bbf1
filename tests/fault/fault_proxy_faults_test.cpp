// Every fault kind, as a client (the project's CurlTransport) sees it, with
// a LocalHttpServer as the upstream.
#include <gtest/gtest.h>

#include "fault/proxy_test_util.h"

namespace s5j::testing {
namespace {

class ProxyFaults : public ::testing::Test {
 protected:
  LocalHttpServer upstream_{upstream_routes()};
  FaultProxy proxy_{{.upstream = upstream_.url()}};
  std::shared_ptr<http::CurlTransport> client_ = make_transport();

  Result<http::Response> get(const std::string& path) { return send_request(*client_, "GET", proxy_.url() + path); }
};

TEST_F(ProxyFaults, ResetBeforeNeverReachesTheUpstream) {
  proxy_.set_plan(always(FaultKind::reset_before));
  auto r = get("/data/100");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().retryable()) << r.error().describe();
  EXPECT_EQ(upstream_.request_count(), 0u);
  const auto c = proxy_.counters();
  EXPECT_EQ(c.faulted(FaultKind::reset_before), 1u);
  EXPECT_EQ(c.requests_forwarded, 0u);
  EXPECT_EQ(c.requests_faulted, 1u);
}

TEST_F(ProxyFaults, ResetMidBodyBreaksTheDownload) {
  proxy_.set_plan(always(FaultKind::reset_mid_body));
  auto r = get("/data/200000");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().retryable()) << r.error().describe();
  EXPECT_EQ(upstream_.request_count(), 1u);
  EXPECT_EQ(proxy_.counters().faulted(FaultKind::reset_mid_body), 1u);
}

TEST_F(ProxyFaults, ResetAfterBodyDeliversTheAnswerThenKillsTheConnection) {
  proxy_.set_plan(always(FaultKind::reset_after_body, 1));
  for (int i = 0; i < 2; ++i) {
    auto r = get("/data/5000");
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->body == pattern_bytes(5000));
  }
  const auto c = proxy_.counters();
  EXPECT_EQ(c.faulted(FaultKind::reset_after_body), 1u);
  EXPECT_EQ(c.connections_accepted, 2u);  // the kept-alive connection did not survive
}

TEST_F(ProxyFaults, TruncateAnnouncesFullLengthButSendsLess) {
  proxy_.set_plan(always(FaultKind::truncate));
  auto r = get("/data/100000");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "RecvFailed") << r.error().describe();  // "cut short"
  EXPECT_EQ(proxy_.counters().faulted(FaultKind::truncate), 1u);
}

TEST_F(ProxyFaults, BodyFaultsOnAnEmptyBodyDoNotApply) {
  for (FaultKind kind : {FaultKind::truncate, FaultKind::reset_mid_body, FaultKind::flip_byte}) {
    proxy_.set_plan(always(kind));
    auto r = get("/data/0");
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->status, 200);
  }
  const auto c = proxy_.counters();
  EXPECT_EQ(c.faults_not_applicable, 3u);
  EXPECT_EQ(c.requests_faulted, 0u);
}

TEST_F(ProxyFaults, FlipByteChangesExactlyOneResponseByte) {
  proxy_.set_plan(always(FaultKind::flip_byte));
  auto r = get("/data/70000");
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(differing_bytes(r->body, pattern_bytes(70000)), 1u);
  EXPECT_EQ(proxy_.counters().faulted(FaultKind::flip_byte), 1u);
}

TEST_F(ProxyFaults, FlipRequestByteChangesExactlyOneUploadedByte) {
  proxy_.set_plan(always(FaultKind::flip_request_byte));
  const std::string data = pattern_bytes(30000, 5);
  auto r = send_request(*client_, "PUT", proxy_.url() + "/b/k", data);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  ASSERT_EQ(upstream_.request_count(), 1u);
  EXPECT_EQ(differing_bytes(upstream_.requests()[0].body, data), 1u);
  EXPECT_EQ(proxy_.counters().faulted(FaultKind::flip_request_byte), 1u);
}

TEST_F(ProxyFaults, StatusFaultsAreS3ErrorsAnsweredByTheProxy) {
  struct Case {
    FaultKind kind;
    int status;
    std::string code;
  };
  for (const Case& c : {Case{FaultKind::status_500, 500, "InternalError"}, Case{FaultKind::status_503, 503, "SlowDown"},
                        Case{FaultKind::status_429, 429, "TooManyRequests"},
                        Case{FaultKind::request_timeout, 400, "RequestTimeout"},
                        Case{FaultKind::not_implemented, 501, "NotImplemented"}}) {
    proxy_.set_plan(always(c.kind));
    auto r = get("/b/some%20key");
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->status, c.status);
    EXPECT_NE(r->body.find("<Code>" + c.code + "</Code>"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("<Resource>/b/some%20key</Resource>"), std::string::npos) << r->body;
    EXPECT_TRUE(http::find_header(r->headers, "x-amz-request-id").has_value());
    EXPECT_EQ(proxy_.counters().faulted(c.kind), 1u);
  }
  EXPECT_EQ(upstream_.request_count(), 0u);
}

TEST_F(ProxyFaults, StatusFaultOnAnUploadDrainsTheBodyAndKeepsTheConnection) {
  proxy_.set_plan(always(FaultKind::status_503, 1));
  auto refused = send_request(*client_, "PUT", proxy_.url() + "/b/k", pattern_bytes(300000));
  ASSERT_TRUE(refused.has_value()) << refused.error().describe();
  EXPECT_EQ(refused->status, 503);
  auto head = send_request(*client_, "HEAD", proxy_.url() + "/data/10");
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(proxy_.counters().connections_accepted, 1u);
  EXPECT_EQ(upstream_.request_count(), 1u);  // only the HEAD
}

TEST_F(ProxyFaults, StatusFaultOnHeadSendsNoBody) {
  proxy_.set_plan(always(FaultKind::status_500, 1));
  auto head = send_request(*client_, "HEAD", proxy_.url() + "/data/10");
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_EQ(head->status, 500);
  EXPECT_TRUE(head->body.empty());
  // The connection is still in step: the next answer is parsed correctly.
  auto next = get("/data/10");
  ASSERT_TRUE(next.has_value()) << next.error().describe();
  EXPECT_TRUE(next->body == pattern_bytes(10));
}

TEST_F(ProxyFaults, SlowTrickleStillDeliversTheWholeAnswer) {
  auto plan = always(FaultKind::slow);
  plan.slow_bytes = 97;
  plan.slow_interval = std::chrono::milliseconds(1);
  proxy_.set_plan(plan);
  auto r = get("/data/3000");
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_TRUE(r->body == pattern_bytes(3000));
  EXPECT_EQ(proxy_.counters().faulted(FaultKind::slow), 1u);
}

TEST_F(ProxyFaults, SlowTrickleTripsTheClientsLowSpeedLimit) {
  auto plan = always(FaultKind::slow);
  plan.slow_bytes = 1;
  plan.slow_interval = std::chrono::milliseconds(200);
  proxy_.set_plan(plan);
  auto r = send_request(*make_impatient_transport(), "GET", proxy_.url() + "/data/100000");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().describe();
}

TEST_F(ProxyFaults, DelayPastTimeoutForwardsButAnswersTooLate) {
  auto plan = always(FaultKind::delay_past_timeout);
  plan.delay = std::chrono::minutes(10);  // stop() in the destructor interrupts it
  proxy_.set_plan(plan);
  auto r = send_request(*make_impatient_transport(), "PUT", proxy_.url() + "/b/k", "late");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().describe();
  EXPECT_EQ(upstream_.request_count(), 1u);  // the work was done upstream
  EXPECT_EQ(proxy_.counters().faulted(FaultKind::delay_past_timeout), 1u);
}

TEST_F(ProxyFaults, DownKindResetsThenRefusesUntilComeUp) {
  auto plan = always(FaultKind::down, 1);
  plan.down_for = std::chrono::milliseconds(0);  // until come_up()
  proxy_.set_plan(plan);
  auto first = get("/data/10");
  ASSERT_FALSE(first.has_value());
  EXPECT_TRUE(proxy_.is_down());
  auto refused = send_request(*make_transport(), "GET", proxy_.url() + "/data/10");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "ConnectFailed") << refused.error().describe();

  proxy_.come_up();
  auto back = send_request(*make_transport(), "GET", proxy_.url() + "/data/10");
  ASSERT_TRUE(back.has_value()) << back.error().describe();
  EXPECT_EQ(back->status, 200);
  const auto c = proxy_.counters();
  EXPECT_EQ(c.faulted(FaultKind::down), 1u);
  EXPECT_EQ(c.down_windows, 1u);
}

TEST_F(ProxyFaults, DownWindowEndsByItself) {
  proxy_.go_down(std::chrono::milliseconds(50));
  ASSERT_TRUE(proxy_.wait_up(std::chrono::seconds(30)));
  EXPECT_FALSE(proxy_.is_down());
  auto r = get("/data/10");
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
}

TEST_F(ProxyFaults, GoingDownDropsOpenConnections) {
  auto warm = get("/data/10");  // leaves a kept-alive connection open
  ASSERT_TRUE(warm.has_value()) << warm.error().describe();
  proxy_.go_down(std::chrono::milliseconds(0));
  auto r = get("/data/10");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ConnectFailed") << r.error().describe();
  proxy_.come_up();
  auto back = get("/data/10");
  ASSERT_TRUE(back.has_value()) << back.error().describe();
}

}  // namespace
}  // namespace s5j::testing
