#include "metrics/request_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "s3/s3_error.h"

namespace s5j::metrics {
namespace {

// From a fast local gateway (a few ms) to a slow WAN PUT of a large part.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                 0.5,   1,    2.5,   5,    10,  30, 60};

}  // namespace

std::string status_class(int http_status) {
  if (http_status < 100 || http_status > 599) return "none";
  return std::to_string(http_status / 100) + "xx";
}

RequestMetrics::RequestMetrics(Exposition& exposition)
    : requests_(prometheus::BuildCounter()
                    .Name("s5j_requests_total")
                    .Help("HTTP exchanges with S3 (attempts), by side, operation and status class")
                    .Register(exposition.registry())),
      duration_(prometheus::BuildHistogram()
                    .Name("s5j_request_duration_seconds")
                    .Help("time of one HTTP exchange with S3, by side and operation")
                    .Register(exposition.registry())),
      retries_(prometheus::BuildCounter()
                   .Name("s5j_request_retries_total")
                   .Help("HTTP exchanges that failed and were tried again")
                   .Register(exposition.registry())),
      throttled_(prometheus::BuildCounter()
                     .Name("s5j_throttled_requests_total")
                     .Help("answers asking s5j to slow down (503, 429, SlowDown)")
                     .Register(exposition.registry())),
      sent_(prometheus::BuildCounter()
                .Name("s5j_sent_bytes_total")
                .Help("request body bytes sent to S3")
                .Register(exposition.registry())),
      received_(prometheus::BuildCounter()
                    .Name("s5j_received_bytes_total")
                    .Help("response body bytes received from S3")
                    .Register(exposition.registry())) {}

s3::RequestObserver RequestMetrics::observer_for(const std::string& side) {
  // The side's counters exist from the start at 0, so a dashboard's rate()
  // reads 0, not "no data", until the first retry or throttled answer.
  for (auto* family : {&retries_, &throttled_, &sent_, &received_}) family->Add({{"side", side}});
  return [this, side](const s3::RequestEvent& event) { observe(side, event); };
}

void RequestMetrics::observe(const std::string& side, const s3::RequestEvent& event) {
  requests_.Add({{"side", side}, {"operation", event.operation}, {"status_class", status_class(event.http_status)}})
      .Increment();
  duration_.Add({{"side", side}, {"operation", event.operation}}, kLatencyBuckets)
      .Observe(std::chrono::duration<double>(event.duration).count());
  if (event.will_retry) retries_.Add({{"side", side}}).Increment();
  if (s3::is_throttling_code(event.error_code) || event.http_status == 429 || event.http_status == 503)
    throttled_.Add({{"side", side}}).Increment();
  if (event.bytes_sent) sent_.Add({{"side", side}}).Increment(static_cast<double>(event.bytes_sent));
  if (event.bytes_received) received_.Add({{"side", side}}).Increment(static_cast<double>(event.bytes_received));
}

}  // namespace s5j::metrics
