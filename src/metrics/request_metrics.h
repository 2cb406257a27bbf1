// Request metrics of a run's S3 clients, counted as each exchange finishes
// (the client's RequestObserver), in prometheus-cpp instruments:
//
//   s5j_requests_total{side,operation,status_class}   HTTP exchanges
//       (attempts); status_class 2xx, 3xx, 4xx, 5xx, or "none" (no answer)
//   s5j_request_duration_seconds{side,operation}     latency histogram
//   s5j_request_retries_total{side}                  exchanges tried again
//   s5j_throttled_requests_total{side}               answers asking to slow down
//   s5j_sent_bytes_total{side}, s5j_received_bytes_total{side}   HTTP payload
//
// Labels are bounded: the side, the S3 operation name, the status class;
// never a bucket or key.
//
// Thread safety: the observer runs on request threads; prometheus-cpp's
// instruments are thread-safe.
#pragma once

#include <string>

#include "metrics/exposition.h"
#include "s3/s3_client.h"

namespace s5j::metrics {

// "2xx" ... "5xx", "none" for 0 (no answer).
std::string status_class(int http_status);

class RequestMetrics {
 public:
  explicit RequestMetrics(Exposition& exposition);

  // An observer counting `side`'s exchanges; `this` must outlive the client.
  s3::RequestObserver observer_for(const std::string& side);
  void observe(const std::string& side, const s3::RequestEvent& event);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& throttled_;
  prometheus::Family<prometheus::Counter>& sent_;
  prometheus::Family<prometheus::Counter>& received_;
};

}  // namespace s5j::metrics
