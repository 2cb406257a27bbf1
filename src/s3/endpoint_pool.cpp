#include "s3/endpoint_pool.h"

#include <algorithm>
#include <limits>

#include "http/endpoint_url.h"
#include "s3/s3_error_codes.h"

namespace s5j::s3 {

Result<Endpoint> parse_endpoint(const std::string& url) {
  auto parsed = http::parse_endpoint_url(url);
  if (!parsed) return make_error(ErrorKind::permanent, kInvalidEndpoint, parsed.error());
  // The URL as requests use it: the Host header's form (no default port).
  return Endpoint{parsed->scheme + "://" + parsed->host_header(), parsed->scheme, parsed->host, parsed->host_header()};
}

EndpointPool::EndpointPool(std::vector<Endpoint> endpoints, const Clock& clock)
    : endpoints_(std::move(endpoints)), clock_(clock), health_(endpoints_.size()) {}

size_t EndpointPool::acquire(size_t avoid) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  const size_t n = endpoints_.size();
  size_t best = SIZE_MAX;
  for (size_t k = 0; k < n; ++k) {
    size_t i = (next_tie_ + k) % n;
    if (health_[i].down_until > now) continue;
    if (i == avoid && n > 1) continue;
    if (best == SIZE_MAX || health_[i].outstanding < health_[best].outstanding) best = i;
  }
  if (best == SIZE_MAX && avoid < n && health_[avoid].down_until <= now) best = avoid;
  if (best == SIZE_MAX) {  // all down: the one back soonest
    best = 0;
    for (size_t i = 1; i < n; ++i)
      if (health_[i].down_until < health_[best].down_until) best = i;
  }
  next_tie_ = (best + 1) % n;
  ++health_[best].outstanding;
  ++health_[best].total_requests;
  return best;
}

EndpointPool::HealthChange EndpointPool::release(size_t index, Outcome outcome) {
  std::lock_guard lock(mutex_);
  auto& h = health_[index];
  --h.outstanding;
  switch (outcome) {
    case Outcome::unknown:
      return HealthChange::none;
    case Outcome::answered: {
      const bool was_set_aside = h.times_set_aside > 0;
      h.failures_in_a_row = 0;
      h.times_set_aside = 0;
      h.down_until = {};
      return was_set_aside ? HealthChange::came_back : HealthChange::none;
    }
    case Outcome::unreachable:
    case Outcome::failed:
      break;
  }
  ++h.total_failures;
  ++h.failures_in_a_row;
  if (outcome == Outcome::failed && h.failures_in_a_row < kFailuresToSetAside) return HealthChange::none;
  const auto now = clock_.steady_now();
  // Requests that were in flight when it was set aside fail too: they do
  // not extend the backoff, which counts from the first of them.
  if (h.down_until > now) return HealthChange::none;
  const bool was_in_use = h.times_set_aside == 0;
  h.times_set_aside = std::min(h.times_set_aside + 1, 7);
  h.down_until = now + std::chrono::seconds(std::min(60, 1 << (h.times_set_aside - 1)));
  return was_in_use ? HealthChange::marked_down : HealthChange::none;
}

bool EndpointPool::is_up(size_t index) const {
  std::lock_guard lock(mutex_);
  return health_[index].down_until <= clock_.steady_now();
}
uint64_t EndpointPool::failures(size_t index) const {
  std::lock_guard lock(mutex_);
  return health_[index].total_failures;
}
uint64_t EndpointPool::requests(size_t index) const {
  std::lock_guard lock(mutex_);
  return health_[index].total_requests;
}

}  // namespace s5j::s3
