// For the status page: what a run serving /metrics (metrics.listen) says
// about its S3 clients — each side's concurrency limit and requests in
// flight, each endpoint's health and counts — read from the run's own
// exposition, since the ledger does not hold them. The JSON of /api/run:
//   {"metrics_url": "...", "sides": [{side, concurrency_limit, in_flight}],
//    "endpoints": [{side, endpoint, up, requests, failures}]}
// or {"metrics_url": ..., "error": "why"} when the run cannot be read.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "http/listen_address.h"
#include "http/transport.h"

namespace s5j::metrics {

// Parses the families above out of a text exposition. Pure.
nlohmann::json run_health_from_exposition(std::string_view text);

// GET http://ADDRESS/metrics (a wildcard address is asked on loopback) and
// run_health_from_exposition of the answer.
nlohmann::json fetch_run_health(const http::ListenAddress& address, http::Transport& transport);

}  // namespace s5j::metrics
