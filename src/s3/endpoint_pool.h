// EndpointPool: several endpoint URLs for one side (load balancing and
// failover). Each request leases the healthy endpoint with the fewest
// requests outstanding; an endpoint that fails to connect is marked down for
// a backoff that doubles with each consecutive failure (1 s up to 60 s) and
// is tried again after it. When every endpoint is down the one that comes
// back soonest is used, so a request never waits for nothing.
//
// Thread safety: all members are safe from many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"

namespace s5j::s3 {

struct Endpoint {
  std::string url;     // "http://127.0.0.1:7480" (no trailing slash, no path)
  std::string scheme;  // "http" / "https"
  std::string host;    // "127.0.0.1"
  std::string host_header;  // host plus ":port" unless the scheme's default port
};

// Parses "scheme://host[:port][/]" with http::parse_endpoint_url (the same
// rules config.yaml's endpoint_urls are checked by); an Error (permanent,
// "InvalidEndpoint") names the URL and what is wrong.
Result<Endpoint> parse_endpoint(const std::string& url);

class EndpointPool {
 public:
  // `endpoints` must not be empty.
  EndpointPool(std::vector<Endpoint> endpoints, const Clock& clock);

  size_t size() const { return endpoints_.size(); }
  const Endpoint& endpoint(size_t index) const { return endpoints_[index]; }

  // Picks an endpoint and counts a request outstanding on it; pair with
  // release(). `avoid` (an index, or SIZE_MAX) is skipped when another
  // healthy endpoint exists: a retry goes elsewhere.
  size_t acquire(size_t avoid = SIZE_MAX);
  // What a release changed about the endpoint's health.
  enum class HealthChange { none, marked_down, came_back };
  // The request is over; `connect_failed` marks the endpoint down. Returns
  // marked_down when the endpoint was up until now, came_back for the first
  // success after connection failures.
  HealthChange release(size_t index, bool connect_failed);

  bool is_up(size_t index) const;
  uint64_t failures(size_t index) const;  // connection failures seen, for status/tests
  uint64_t requests(size_t index) const;  // requests leased, for status/tests

 private:
  struct Health {
    int outstanding = 0;
    int consecutive_failures = 0;
    uint64_t total_failures = 0;
    uint64_t total_requests = 0;
    std::chrono::steady_clock::time_point down_until{};
  };
  const std::vector<Endpoint> endpoints_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<Health> health_;  // guarded by mutex_
  size_t next_tie_ = 0;         // round robin among equals; guarded by mutex_
};

}  // namespace s5j::s3
