#include "metrics/run_families.h"

#include <limits>

namespace s5j::metrics {
namespace {

double value(const std::atomic<uint64_t>& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); }

}  // namespace

void append_run_families(const transfer::RunTally& t, const RunPhase& phase, Families& out) {
  counter("s5j_objects_total", "objects this run brought to an outcome: staged (stage leg), verified (drain or copy "
                               "leg), failed, vanished, changed, refetched")
      .add(value(t.staged_objects), {{"outcome", "staged"}})
      .add(value(t.verified_objects), {{"outcome", "verified"}})
      .add(value(t.failed_objects), {{"outcome", "failed"}})
      .add(value(t.vanished_objects), {{"outcome", "vanished"}})
      .add(value(t.changed_objects), {{"outcome", "changed"}})
      .add(value(t.refetch_objects), {{"outcome", "refetched"}})
      .append_to(out);
  counter("s5j_object_bytes_total", "bytes of the objects this run staged or verified")
      .add(value(t.staged_bytes), {{"outcome", "staged"}})
      .add(value(t.verified_bytes), {{"outcome", "verified"}})
      .append_to(out);
  counter("s5j_payload_bytes_total", "object bytes this run downloaded from the source or uploaded to the destination")
      .add(value(t.downloaded_bytes), {{"direction", "downloaded"}})
      .add(value(t.uploaded_bytes), {{"direction", "uploaded"}})
      .append_to(out);
  gauge("s5j_planned_bytes", "bytes this run has to move").add(value(t.planned_bytes)).append_to(out);
  counter("s5j_listed_objects_total", "source objects this run listed into the ledger")
      .add(static_cast<double>(phase.listed_objects))
      .append_to(out);
  gauge("s5j_listing", "1 while the run lists the source").add(phase.listing ? 1 : 0).append_to(out);
  gauge("s5j_waiting_for_space", "1 while staging waits for free space on the volumes")
      .add(phase.waiting_for_space ? 1 : 0)
      .append_to(out);
  counter("s5j_space_waits_total", "times staging waited for free space").add(value(t.space_waits)).append_to(out);

  const auto commits = t.ledger_commits.snapshot();
  prometheus::MetricFamily histogram{.name = "s5j_ledger_commit_duration_seconds",
                                     .help = "time of one group commit of the ledger (flush)",
                                     .type = prometheus::MetricType::Histogram,
                                     .metric = {}};
  prometheus::ClientMetric m;
  m.histogram.sample_count = commits.count;
  m.histogram.sample_sum = commits.sum_seconds;
  for (size_t i = 0; i < commits.cumulative.size(); ++i)
    m.histogram.bucket.push_back({.cumulative_count = commits.cumulative[i],
                                  .upper_bound = transfer::LatencyTally::kBounds[i]});
  m.histogram.bucket.push_back({.cumulative_count = commits.count,
                                .upper_bound = std::numeric_limits<double>::infinity()});
  histogram.metric.push_back(std::move(m));
  out.push_back(std::move(histogram));
}

void append_client_families(const std::string& side, const s3::S3Client& client, Families& out) {
  gauge("s5j_concurrency_limit", "requests allowed in flight now (adaptive: lowered on throttling)")
      .add(client.concurrency_limit(), {{"side", side}})
      .append_to(out);
  gauge("s5j_requests_in_flight", "requests holding a concurrency permit now")
      .add(client.concurrency().in_flight(), {{"side", side}})
      .append_to(out);
  counter("s5j_concurrency_decreases_total", "times throttling lowered the concurrency limit")
      .add(static_cast<double>(client.concurrency().decreases()), {{"side", side}})
      .append_to(out);
  const auto& pool = client.endpoints();
  auto up = gauge("s5j_endpoint_up", "1 while the endpoint is in use, 0 while it is set aside");
  auto requests = counter("s5j_endpoint_requests_total", "requests sent to the endpoint");
  auto failures = counter("s5j_endpoint_failures_total", "requests to the endpoint that failed (unreachable, errors)");
  for (size_t i = 0; i < pool.size(); ++i) {
    const LabelPairs labels = {{"side", side}, {"endpoint", pool.endpoint(i).url}};
    up.add(pool.is_up(i) ? 1 : 0, labels);
    requests.add(static_cast<double>(pool.requests(i)), labels);
    failures.add(static_cast<double>(pool.failures(i)), labels);
  }
  std::move(up).append_to(out);
  std::move(requests).append_to(out);
  std::move(failures).append_to(out);
}

}  // namespace s5j::metrics
