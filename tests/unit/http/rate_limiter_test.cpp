#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "unit/http/fake_clock.h"

namespace s5j::http {
namespace {

using namespace std::chrono_literals;

using testing_clock::FakeClock;

TEST(RateLimiter, BurstPassesWithoutWaiting) {
  FakeClock clock;
  RateLimiter limiter(1000, clock, 500);
  limiter.acquire(200);
  limiter.acquire(300);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(RateLimiter, WaitsForTokensBeyondTheBurst) {
  FakeClock clock;
  RateLimiter limiter(1000, clock, 500);
  limiter.acquire(500);   // empties the bucket
  limiter.acquire(250);   // 250 bytes of debt at 1000 B/s
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], 250ms);
}

TEST(RateLimiter, ChunkLargerThanBurstWaitsForItsExcess) {
  FakeClock clock;
  RateLimiter limiter(1000, clock, 100);
  EXPECT_EQ(limiter.reserve(2100), 2s);
}

TEST(RateLimiter, SustainedRateMatchesTheCap) {
  FakeClock clock;  // sleeping advances time, like a real single caller
  RateLimiter limiter(10'000, clock, 1000);
  for (int i = 0; i < 100; ++i) limiter.acquire(1000);  // 100 KB at 10 KB/s
  // The first 1000 bytes came from the full bucket; 99 KB took 9.9 s.
  EXPECT_EQ(clock.total_slept(), 9900ms);
}

TEST(RateLimiter, IdleTimeRefillsUpToTheBurstOnly) {
  FakeClock clock;
  RateLimiter limiter(1000, clock, 500);
  limiter.acquire(500);
  clock.advance(1h);  // far more than needed to refill 500 tokens
  EXPECT_EQ(limiter.reserve(500), 0ns);
  EXPECT_EQ(limiter.reserve(100), 100ms);  // the bucket held 500, not 3.6 million
}

TEST(RateLimiter, PartialRefillAfterShortIdle) {
  FakeClock clock;
  RateLimiter limiter(1000, clock, 1000);
  limiter.acquire(1000);
  clock.advance(300ms);  // 300 tokens back
  EXPECT_EQ(limiter.reserve(300), 0ns);
  EXPECT_EQ(limiter.reserve(100), 100ms);
}

TEST(RateLimiter, ConcurrentCallersShareOneBudget) {
  // Time stands still: every reservation is made at the same instant, so
  // the debt accumulates across threads and the longest wait equals the
  // whole excess at the shared rate, whatever the interleaving.
  FakeClock clock(/*advance_on_sleep=*/false);
  RateLimiter limiter(1000, clock, 1000);
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 50;
  constexpr uint64_t kBytes = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) limiter.acquire(kBytes);
    });
  for (auto& t : threads) t.join();
  const auto sleeps = clock.sleeps();
  // 40,000 bytes - 1,000 burst = 39,000 bytes of debt at 1,000 B/s.
  auto longest = std::chrono::milliseconds(0);
  for (auto s : sleeps) longest = std::max(longest, s);
  EXPECT_EQ(longest, 39s);
  // Each later caller waits 100 ms more than the one before it.
  EXPECT_EQ(sleeps.size(), static_cast<size_t>(kThreads * kCallsPerThread - 10));
}

TEST(RateLimiter, DefaultBurstIsATenthOfASecondButAtLeast64KiB) {
  EXPECT_EQ(RateLimiter::default_burst(1000), 64u * 1024);
  EXPECT_EQ(RateLimiter::default_burst(100'000'000), 10'000'000u);
  FakeClock clock;
  EXPECT_EQ(RateLimiter(100'000'000, clock).burst_bytes(), 10'000'000u);
}

TEST(RateLimiter, ClockGoingBackwardsMintsNoTokens) {
  FakeClock clock;
  RateLimiter limiter(1000, clock, 100);
  limiter.acquire(100);
  clock.advance(-10s);
  EXPECT_EQ(limiter.reserve(100), 100ms);
}

}  // namespace
}  // namespace s5j::http
