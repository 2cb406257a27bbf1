// RetryPolicy: when and how long to wait before trying a request again.
//
// Full-jitter exponential backoff: sleep uniform(0, min(cap, base * 2^n)),
// with a longer base for throttling answers (botocore: 1 s) than for other
// transient failures (0.05 s), and honouring x-amz-retry-after. A retry
// budget shared by every request of one client (a token bucket: a retry
// costs tokens, a success refunds one) stops retry storms: when a server is
// down for good, requests fail fast instead of every one retrying to its cap.
//
// Thread safety: all members are safe from many threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include "base/error.h"

namespace s5j::s3 {

struct RetryOptions {
  int max_attempts = 8;  // first try included
  std::chrono::milliseconds base{50};
  std::chrono::milliseconds throttle_base{1000};
  std::chrono::milliseconds cap{20'000};
  int budget_tokens = 500;      // botocore standard mode's quota
  int retry_cost = 5;
  int timeout_retry_cost = 10;  // connection failures (http::is_connection_failure) cost more
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options, uint64_t seed = std::random_device{}());

  // Whether `error` after `attempt` (1-based) may be retried; when yes, takes
  // tokens from the budget and returns the delay to wait.
  std::optional<std::chrono::milliseconds> next_delay(const Error& error, int attempt,
                                                      std::optional<std::chrono::milliseconds> retry_after = {});
  // A request succeeded: refund one token.
  void on_success();

  const RetryOptions& options() const { return options_; }
  int budget_remaining() const { return tokens_.load(); }

 private:
  RetryOptions options_;
  std::atomic<int> tokens_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;  // guarded by rng_mutex_
};

}  // namespace s5j::s3
