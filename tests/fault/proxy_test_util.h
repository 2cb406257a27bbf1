// Helpers shared by the fault proxy's tests: a LocalHttpServer upstream with
// a few fixed routes, deterministic bodies, and one-call requests through
// the project's CurlTransport.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "fault/fault_proxy.h"
#include "http/curl_transport.h"
#include "support/local_http_server.h"

namespace s5j::testing {

// n pseudo-random bytes, the same for the same (n, seed).
inline std::string pattern_bytes(size_t n, uint64_t seed = 0) {
  std::mt19937_64 rng(n * 31 + seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Routes: GET|HEAD /data/N -> N pattern bytes; PUT -> 200 with the size of
// the body received as ETag; anything else -> 200 "ok".
inline HttpHandler upstream_routes() {
  return [](const HttpRequest& r) {
    const std::string path = r.path();
    if ((r.method == "GET" || r.method == "HEAD") && path.starts_with("/data/"))
      return HttpAction::respond(200, pattern_bytes(std::stoul(path.substr(6))));
    if (r.method == "PUT") return HttpAction::respond(200, "", {{"ETag", "\"" + std::to_string(r.body.size()) + "\""}});
    return HttpAction::respond(200, "ok");
  };
}

inline std::shared_ptr<http::CurlTransport> make_transport(http::NetworkOptions options = {}) {
  options.connect_timeout = std::chrono::milliseconds(5000);
  return std::make_shared<http::CurlTransport>(options);
}

// A client that gives up on a stalled transfer after about a second.
inline std::shared_ptr<http::CurlTransport> make_impatient_transport() {
  http::NetworkOptions options;
  options.low_speed_bytes_per_sec = 1000;
  options.low_speed_time = std::chrono::seconds(1);
  return make_transport(options);
}

inline Result<http::Response> send_request(http::Transport& transport, const std::string& method,
                                           const std::string& url, std::string body = {}, http::Headers headers = {}) {
  http::Request request{.method = method, .url = url, .headers = std::move(headers), .body = std::move(body)};
  return transport.perform(request);
}

inline FaultPlan always(FaultKind kind, uint64_t max_faults = 0) {
  return FaultPlan{.seed = 1, .rate = 1.0, .kinds = {kind}, .max_faults = max_faults};
}

// Number of positions where a and b differ (sizes must match).
inline size_t differing_bytes(const std::string& a, const std::string& b) {
  EXPECT_EQ(a.size(), b.size());
  size_t n = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += a[i] != b[i] ? 1 : 0;
  return n;
}

}  // namespace s5j::testing
