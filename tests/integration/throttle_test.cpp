// Adaptive request concurrency against a real RGW behind the fault proxy:
// during a window of sustained 503 SlowDown the client's limit falls, and
// once the throttling stops it climbs back to its ceiling. Every request
// eventually succeeds and stores the right bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "fault/fault_proxy.h"
#include "http/curl_transport.h"
#include "s3/s3_client.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"

namespace s5j {
namespace {

using namespace std::chrono_literals;

TEST(AdaptiveConcurrency, LimitFallsDuringSustainedSlowDownAndRecoversAfter) {
  auto direct = testing::make_test_client(testing::endpoint_a());
  const std::string bucket = testing::unique_bucket_name("throttle");
  ASSERT_TRUE(direct->create_bucket(bucket).has_value());
  testing::FaultProxy proxy({.upstream = testing::endpoint_a()});

  constexpr int kCeiling = 8;
  s3::ClientOptions options;
  options.endpoint_urls = {proxy.url()};
  options.credentials = {testing::access_key(), testing::secret_key(), ""};
  options.retry.max_attempts = 1000;  // the window must not exhaust a request's attempts...
  options.retry.budget_tokens = 1'000'000;  // ...nor the client's retry budget
  options.retry.throttle_base = 20ms;
  options.retry.cap = 200ms;
  options.concurrency = {.ceiling = kCeiling, .decrease_interval = 50ms};
  auto client = s3::make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{}));
  ASSERT_TRUE(client.has_value());
  s3::S3Client& c = **client;

  std::mutex mutex;
  std::vector<int> limits_seen_throttled;  // limits reported with a SlowDown answer
  std::atomic<uint64_t> slowdowns{0};
  c.set_observer([&](const s3::RequestEvent& e) {
    if (e.error_code != "SlowDown") return;
    ++slowdowns;
    std::lock_guard lock(mutex);
    limits_seen_throttled.push_back(e.concurrency_limit);
  });

  // 12 threads keep PUTting small objects: more than the ceiling, so the
  // limit is always in use.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> put_ok{0}, put_failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100'000 && !stop; ++i) {
        const std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
        const std::string body = key + "-body";
        auto r = c.put_object(bucket, key, s3::BodySource{.size = body.size(), .data = body});
        r ? ++put_ok : ++put_failed;
      }
    });

  auto wait_for = [&](auto condition, int polls) {
    for (int i = 0; i < polls && !condition(); ++i) std::this_thread::sleep_for(10ms);  // polling, bounded
    return condition();
  };
  // Before: the limit sits at the ceiling.
  ASSERT_TRUE(wait_for([&] { return put_ok >= 100; }, 3000));
  EXPECT_EQ(c.concurrency_limit(), kCeiling);

  // During: every request is answered SlowDown for a while.
  proxy.start_throttle({.fraction = 1.0, .duration = 0ms});
  const bool fell = wait_for([&] { return c.concurrency_limit() <= 2; }, 3000);
  EXPECT_TRUE(fell) << "limit stayed at " << c.concurrency_limit();
  const uint64_t throttled = proxy.counters().throttled;
  proxy.stop_throttle();

  // After: successes bring the limit back to the ceiling.
  const uint64_t ok_at_end_of_window = put_ok;
  const bool recovered = wait_for([&] { return c.concurrency_limit() == kCeiling; }, 3000);
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_TRUE(recovered) << "limit " << c.concurrency_limit() << " after " << put_ok - ok_at_end_of_window
                         << " successes";
  EXPECT_GT(throttled, 0u);
  EXPECT_EQ(slowdowns.load(), proxy.counters().throttled) << "every SlowDown answer reached the client";
  EXPECT_EQ(put_failed.load(), 0u) << "throttled requests are retried until they succeed";
  EXPECT_GE(c.concurrency().decreases(), 2u);
  {
    std::lock_guard lock(mutex);
    ASSERT_FALSE(limits_seen_throttled.empty());
    // The limit reported with the SlowDown answers went down to the floor.
    EXPECT_LE(*std::min_element(limits_seen_throttled.begin(), limits_seen_throttled.end()), 2);
  }
  // Stored bytes are right (a sample, read straight from RGW).
  std::string got;
  auto head = direct->get_object(bucket, "t3/0", {}, [&](std::string_view chunk) -> Status {
    got.append(chunk);
    return {};
  });
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(got, "t3/0-body");
  testing::remove_bucket(*direct, bucket);
}

}  // namespace
}  // namespace s5j
