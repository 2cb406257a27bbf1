// EndpointPool: several endpoint URLs for one side (load balancing and
// failover). Each request leases the healthy endpoint with the fewest
// requests outstanding. An endpoint is set aside for a backoff that doubles
// each time (1 s up to 60 s) and is tried again after it:
//  - at once when it cannot be reached (connection refused, name not
//    resolved);
//  - after kFailuresToSetAside failures in a row when it is reached but
//    fails: a server error (5xx) or a request that timed out or broke off.
//    A device node that is up but answers 500 to everything, or accepts
//    connections and never answers, would otherwise keep its share of
//    requests, each retried elsewhere only after it failed. One failure is
//    not enough: a healthy endpoint also answers an occasional 500 or
//    503 SlowDown.
// Any other answer (2xx, 4xx) is a healthy endpoint's and resets the count.
// When every endpoint is set aside the one that comes back soonest is used,
// so a request never waits for nothing.
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
  // How a request ended, as far as its endpoint's health goes.
  enum class Outcome {
    answered,     // any answer that is not a server error (2xx, 3xx, 4xx)
    unreachable,  // connection refused, name not resolved: set aside at once
    failed,       // 5xx, timed out, connection broken: set aside when repeated
    unknown,      // says nothing about this endpoint (proxy, TLS, other)
  };
  static constexpr int kFailuresToSetAside = 3;
  // What a release changed about the endpoint's health.
  enum class HealthChange { none, marked_down, came_back };
  // The request is over. Returns marked_down when this outcome set the
  // endpoint aside (it was in use until now), came_back for the first
  // answer after it had been set aside.
  HealthChange release(size_t index, Outcome outcome);

  bool is_up(size_t index) const;
  uint64_t failures(size_t index) const;  // unreachable or failed requests, for status/tests
  uint64_t requests(size_t index) const;  // requests leased, for status/tests

 private:
  struct Health {
    int outstanding = 0;
    int failures_in_a_row = 0;  // failed outcomes since the last answer
    int times_set_aside = 0;    // since the last answer: the backoff's exponent
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
