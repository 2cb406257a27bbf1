// What --metrics-addr adds to every S3 request (RequestMetrics::observe:
// counters and a latency histogram, looked up by labels) and what one
// scrape costs (the whole exposition of a relay's families).
#include <benchmark/benchmark.h>

#include "metrics/exposition.h"
#include "metrics/request_metrics.h"
#include "metrics/run_families.h"

namespace {

using namespace s5j;

void BM_ObserveRequest(benchmark::State& state) {
  metrics::Exposition exposition("v", "c");
  metrics::RequestMetrics requests(exposition);
  s3::RequestEvent event{.operation = "PutObject", .http_status = 200, .duration = std::chrono::milliseconds(12),
                         .bytes_sent = 16384};
  for (auto _ : state) requests.observe("destination", event);
}
BENCHMARK(BM_ObserveRequest)->Threads(1)->Threads(8);

void BM_Scrape(benchmark::State& state) {
  metrics::Exposition exposition("v", "c");
  metrics::RequestMetrics requests(exposition);
  for (const char* op : {"GetObject", "PutObject", "HeadObject", "ListObjectsV2", "UploadPart",
                         "CreateMultipartUpload", "CompleteMultipartUpload"})
    for (int status : {200, 404, 503})
      requests.observe("source", {.operation = op, .http_status = status, .duration = std::chrono::milliseconds(5)});
  transfer::RunTally tally;
  exposition.add_source([&](metrics::Families& out) { metrics::append_run_families(tally, {}, out); });
  for (auto _ : state) benchmark::DoNotOptimize(exposition.text());
}
BENCHMARK(BM_Scrape);

}  // namespace
