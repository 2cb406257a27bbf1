// ConcurrencyLimiter: AIMD between floor and ceiling, one decrease per
// window, growth only while in use, waiting beyond the limit; and the
// S3Client lowering and recovering its limit on SlowDown answers.
#include "s3/concurrency_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "s3/s3_client.h"
#include "support/fake_clock.h"
#include "support/fake_transport.h"

namespace s5j::s3 {
namespace {

using testing::FakeClock;
using Outcome = ConcurrencyLimiter::Outcome;
using namespace std::chrono_literals;

// Holds `n` permits at once, then releases them all with `outcome`.
void round_of(ConcurrencyLimiter& limiter, int n, Outcome outcome) {
  std::vector<ConcurrencyLimiter::Permit> permits;
  for (int i = 0; i < n; ++i) permits.push_back(limiter.acquire());
  for (auto& p : permits) p.release(outcome);
}

TEST(ConcurrencyLimiter, StartsAtTheCeilingAndClampsOptions) {
  FakeClock clock;
  ConcurrencyLimiter a({.ceiling = 16}, clock);
  EXPECT_EQ(a.limit(), 16);
  ConcurrencyLimiter b({.ceiling = 0, .floor = 0}, clock);
  EXPECT_EQ(b.floor(), 1);
  EXPECT_EQ(b.ceiling(), 1);
  ConcurrencyLimiter c({.ceiling = 16, .floor = 2, .initial = 40}, clock);
  EXPECT_EQ(c.limit(), 16);
}

TEST(ConcurrencyLimiter, ThrottlingHalvesWhatWasInFlightAtMostOncePerWindow) {
  FakeClock clock;
  ConcurrencyLimiter limiter({.ceiling = 1000, .floor = 2, .decrease_interval = 500ms}, clock);
  // 16 in flight under a ceiling of 1000: the limit falls to 8, not 500.
  std::vector<ConcurrencyLimiter::Permit> permits;
  for (int i = 0; i < 16; ++i) permits.push_back(limiter.acquire());
  permits[0].release(Outcome::throttled);
  EXPECT_EQ(limiter.limit(), 8);
  // The rest of the same burst does not lower it again within the window.
  for (int i = 1; i < 16; ++i) permits[i].release(Outcome::throttled);
  EXPECT_EQ(limiter.limit(), 8);
  EXPECT_EQ(limiter.decreases(), 1u);
  clock.advance(500ms);
  round_of(limiter, 8, Outcome::throttled);
  EXPECT_EQ(limiter.limit(), 4);
  for (int i = 0; i < 5; ++i) {
    clock.advance(600ms);
    round_of(limiter, limiter.limit(), Outcome::throttled);
  }
  EXPECT_EQ(limiter.limit(), 2);  // the floor
}

TEST(ConcurrencyLimiter, SuccessesRaiseTheLimitByAboutOnePerRoundUpToTheCeiling) {
  FakeClock clock;
  ConcurrencyLimiter limiter({.ceiling = 8, .initial = 2}, clock);
  round_of(limiter, 2, Outcome::success);  // 2 + 1/2 + 1/2.5
  EXPECT_EQ(limiter.limit(), 2);
  round_of(limiter, 2, Outcome::success);
  EXPECT_EQ(limiter.limit(), 3);
  for (int i = 0; i < 40; ++i) round_of(limiter, limiter.limit(), Outcome::success);
  EXPECT_EQ(limiter.limit(), 8);
}

TEST(ConcurrencyLimiter, DoesNotGrowWhileMostlyIdleNorOnNeutralAnswers) {
  FakeClock clock;
  ConcurrencyLimiter limiter({.ceiling = 64, .initial = 10}, clock);
  for (int i = 0; i < 200; ++i) round_of(limiter, 1, Outcome::success);  // 1 in flight of 10
  EXPECT_EQ(limiter.limit(), 10);
  for (int i = 0; i < 50; ++i) round_of(limiter, 10, Outcome::neutral);
  EXPECT_EQ(limiter.limit(), 10);
}

TEST(ConcurrencyLimiter, RequestsBeyondTheLimitWaitForARelease) {
  FakeClock clock;
  ConcurrencyLimiter limiter({.ceiling = 2}, clock);
  auto a = limiter.acquire();
  auto b = limiter.acquire();
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto c = limiter.acquire();
    got = true;
  });
  // The third cannot have a permit while two are held.
  for (int i = 0; i < 50 && !got; ++i) std::this_thread::yield();
  EXPECT_FALSE(got.load());
  EXPECT_EQ(limiter.in_flight(), 2);
  a.release(Outcome::success);
  waiter.join();
  EXPECT_TRUE(got.load());
  b.release(Outcome::neutral);
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(ConcurrencyLimiter, APermitLeftUnreleasedIsReturnedByItsDestructor) {
  FakeClock clock;
  ConcurrencyLimiter limiter({.ceiling = 1}, clock);
  { auto p = limiter.acquire(); }
  auto q = limiter.acquire();  // would block for ever if the first leaked
  EXPECT_EQ(limiter.in_flight(), 1);
}

TEST(ConcurrencyLimiter, ManyThreadsNeverExceedTheLimit) {
  FakeClock clock;
  ConcurrencyLimiter limiter({.ceiling = 3}, clock);
  std::atomic<int> now{0}, peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto p = limiter.acquire();
        int n = ++now;
        int seen = peak.load();
        while (n > seen && !peak.compare_exchange_weak(seen, n)) {
        }
        --now;
        p.release(Outcome::success);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(limiter.in_flight(), 0);
}

// The client: SlowDown answers lower its limit (reported to the observer),
// successes bring it back.
TEST(S3ClientConcurrency, SlowDownLowersTheLimitAndSuccessRecoversIt) {
  FakeClock clock;
  std::atomic<bool> throttle{true};
  auto transport = std::make_shared<testing::FakeTransport>([&](const testing::RecordedRequest&, int) {
    testing::FakeAnswer a;
    if (throttle) {
      a.status = 503;
      a.body = "<Error><Code>SlowDown</Code><Message>slow</Message></Error>";
    }
    return a;
  });
  ClientOptions options;
  options.endpoint_urls = {"http://127.0.0.1:9000"};
  options.credentials = {"AKIDEXAMPLE", "secret-for-tests-only", ""};
  options.retry.max_attempts = 3;
  options.concurrency = {.ceiling = 2, .decrease_interval = 100ms};
  auto client = make_client(options, transport, clock);
  ASSERT_TRUE(client.has_value());
  std::vector<int> seen;
  (*client)->set_observer([&](const RequestEvent& e) { seen.push_back(e.concurrency_limit); });
  EXPECT_FALSE((*client)->head_bucket("b").has_value());  // 3 attempts, all SlowDown
  // One in flight each time: 1 → floor; decreases once per window (backoff
  // sleeps advance the fake clock).
  EXPECT_EQ((*client)->concurrency_limit(), 1);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 1);
  throttle = false;
  // A sequential caller uses a limit of 2 (one in flight is half of it):
  // it grows back to the ceiling.
  for (int i = 0; i < 100 && (*client)->concurrency_limit() < 2; ++i) ASSERT_TRUE((*client)->head_bucket("b"));
  EXPECT_EQ((*client)->concurrency_limit(), 2);
  EXPECT_EQ(seen.back(), 2);
}

}  // namespace
}  // namespace s5j::s3
