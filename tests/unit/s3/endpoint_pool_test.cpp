// Endpoint health: an unreachable endpoint is set aside at once; one that is
// reached but fails (5xx, timeouts, broken connections) after a few
// failures in a row; any answer resets it. Backoff doubles while it keeps
// failing, and requests in flight when it was set aside do not extend it.
#include "s3/endpoint_pool.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace s5j::s3 {
namespace {

using Outcome = EndpointPool::Outcome;
using Change = EndpointPool::HealthChange;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<Endpoint> two_endpoints() {
  return {*parse_endpoint("http://127.0.0.1:9000"), *parse_endpoint("http://127.0.0.2:9000")};
}

// One request on endpoint `index` (which must be in use) that ends with
// `outcome`; requests the pool gives the other endpoint meanwhile are
// answered.
Change request(EndpointPool& pool, size_t index, Outcome outcome) {
  for (int tries = 0; tries < 4; ++tries) {
    const size_t got = pool.acquire();
    if (got == index) return pool.release(index, outcome);
    pool.release(got, Outcome::answered);
  }
  ADD_FAILURE() << "endpoint " << index << " is never picked";
  return Change::none;
}

TEST(EndpointPool, UnreachableIsSetAsideAtOnce) {
  testing::FakeClock clock;
  EndpointPool pool(two_endpoints(), clock);
  EXPECT_EQ(request(pool, 1, Outcome::unreachable), Change::marked_down);
  EXPECT_FALSE(pool.is_up(1));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(pool.acquire(), 0u);  // every request goes to the other one
    pool.release(0, Outcome::answered);
  }
}

TEST(EndpointPool, ServerErrorsSetItAsideOnlyWhenRepeated) {
  testing::FakeClock clock;
  EndpointPool pool(two_endpoints(), clock);
  for (int i = 1; i < EndpointPool::kFailuresToSetAside; ++i) {
    EXPECT_EQ(request(pool, 1, Outcome::failed), Change::none) << i;
    EXPECT_TRUE(pool.is_up(1)) << i;
  }
  EXPECT_EQ(request(pool, 1, Outcome::failed), Change::marked_down);
  EXPECT_FALSE(pool.is_up(1));
  EXPECT_EQ(pool.failures(1), static_cast<uint64_t>(EndpointPool::kFailuresToSetAside));
}

TEST(EndpointPool, AnAnswerBetweenFailuresResetsTheCount) {
  testing::FakeClock clock;
  EndpointPool pool(two_endpoints(), clock);
  for (int round = 0; round < 5; ++round) {
    for (int i = 1; i < EndpointPool::kFailuresToSetAside; ++i) request(pool, 1, Outcome::failed);
    EXPECT_EQ(request(pool, 1, Outcome::answered), Change::none);  // a 404 or a 200: healthy
  }
  EXPECT_TRUE(pool.is_up(1));
}

TEST(EndpointPool, UnknownOutcomesSayNothing) {
  testing::FakeClock clock;
  EndpointPool pool(two_endpoints(), clock);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(request(pool, 1, Outcome::unknown), Change::none);
  EXPECT_TRUE(pool.is_up(1));
  EXPECT_EQ(pool.failures(1), 0u);
}

TEST(EndpointPool, BackoffDoublesWhileItKeepsFailingAndAnAnswerBringsItBack) {
  testing::FakeClock clock;
  EndpointPool pool(two_endpoints(), clock);
  for (int i = 0; i < EndpointPool::kFailuresToSetAside; ++i) request(pool, 1, Outcome::failed);
  ASSERT_FALSE(pool.is_up(1));
  // A request in flight when it was set aside fails too: no longer backoff.
  EXPECT_EQ(pool.release(1, Outcome::failed), Change::none);
  for (const auto backoff : {seconds(1), seconds(2), seconds(4), seconds(8)}) {
    clock.advance(backoff - milliseconds(1));
    EXPECT_FALSE(pool.is_up(1)) << backoff.count();
    clock.advance(milliseconds(1));
    EXPECT_TRUE(pool.is_up(1)) << backoff.count();
    // The probe after the backoff fails at once: aside again, for twice as long.
    EXPECT_EQ(request(pool, 1, Outcome::failed), Change::none) << backoff.count();
    EXPECT_FALSE(pool.is_up(1));
  }
  clock.advance(seconds(16));
  EXPECT_EQ(request(pool, 1, Outcome::answered), Change::came_back);
  EXPECT_TRUE(pool.is_up(1));
  // Back to a clean slate: one failure does not set it aside.
  EXPECT_EQ(request(pool, 1, Outcome::failed), Change::none);
  EXPECT_TRUE(pool.is_up(1));
}

TEST(EndpointPool, BackoffStopsGrowingAtAMinute) {
  testing::FakeClock clock;
  EndpointPool pool(two_endpoints(), clock);
  request(pool, 1, Outcome::unreachable);
  for (int i = 0; i < 12; ++i) {
    clock.advance(seconds(60));
    ASSERT_TRUE(pool.is_up(1)) << i;
    request(pool, 1, Outcome::unreachable);
  }
  clock.advance(seconds(59));
  EXPECT_FALSE(pool.is_up(1));
  clock.advance(seconds(1));
  EXPECT_TRUE(pool.is_up(1));
}

}  // namespace
}  // namespace s5j::s3
