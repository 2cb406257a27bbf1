#include "s3/retry_policy.h"

#include <algorithm>

#include "http/transport_error.h"
#include "s3/s3_error.h"

namespace s5j::s3 {

RetryPolicy::RetryPolicy(RetryOptions options, uint64_t seed)
    : options_(options), tokens_(options.budget_tokens), rng_(seed) {}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(const Error& error, int attempt,
                                                                 std::optional<std::chrono::milliseconds> retry_after) {
  if (!error.retryable() || attempt >= options_.max_attempts) return std::nullopt;
  // Every class of connection failure costs the higher price, as botocore
  // charges for timeouts: a server that cannot be reached drains the budget
  // fastest, so requests fail fast instead of each retrying to its cap.
  const int cost = http::is_connection_failure(error) ? options_.timeout_retry_cost : options_.retry_cost;
  int have = tokens_.load();
  do {
    if (have < cost) return std::nullopt;  // budget spent: fail fast
  } while (!tokens_.compare_exchange_weak(have, have - cost));

  const auto base = is_throttling_code(error.code) ? options_.throttle_base : options_.base;
  const int exponent = std::min(attempt - 1, 30);
  const auto ceiling = std::min<int64_t>(options_.cap.count(), base.count() * (int64_t{1} << exponent));
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(rng_mutex_);
    delay = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, ceiling)(rng_));
  }
  if (retry_after && *retry_after > delay) delay = std::min(*retry_after, options_.cap);
  return delay;
}

void RetryPolicy::on_success() {
  int have = tokens_.load();
  while (have < options_.budget_tokens && !tokens_.compare_exchange_weak(have, have + 1)) {
  }
}

}  // namespace s5j::s3
