// The families of one running s5j process, written at scrape time from what
// the run already counts (transfer::RunTally, the engine's progress, the S3
// clients' concurrency limiter and endpoint pool); nothing is counted twice.
//
//   s5j_objects_total{outcome}        objects this run staged, verified,
//                                     failed, vanished, changed (relisted),
//                                     refetched (staged copy bad: back to
//                                     the source); staged is the stage leg's,
//                                     verified the drain's or sync's copy leg's
//   s5j_object_bytes_total{outcome}   their bytes (staged, verified)
//   s5j_payload_bytes_total{direction}  object bytes downloaded / uploaded
//   s5j_planned_bytes                 bytes this run has to move
//   s5j_listed_objects_total          source objects listed into the ledger
//   s5j_listing                       1 while the source is being listed
//   s5j_waiting_for_space             1 while staging waits for free space
//   s5j_space_waits_total             times staging waited for space
//   s5j_ledger_commit_duration_seconds  histogram of the ledger's group commits
//   s5j_concurrency_limit{side}       requests allowed in flight (adaptive)
//   s5j_requests_in_flight{side}      requests holding a permit now
//   s5j_concurrency_decreases_total{side}  throttling-driven cuts
//   s5j_endpoint_up{side,endpoint}    1 in use, 0 set aside
//   s5j_endpoint_requests_total{side,endpoint}, s5j_endpoint_failures_total{side,endpoint}
//
// Thread safety: reads atomics and thread-safe accessors only.
#pragma once

#include <cstdint>
#include <string>

#include "metrics/metric_families.h"
#include "s3/s3_client.h"
#include "transfer/run_context.h"

namespace s5j::metrics {

// What the engine's progress() says beyond the tally.
struct RunPhase {
  bool listing = false;
  bool waiting_for_space = false;
  uint64_t listed_objects = 0;
};

void append_run_families(const transfer::RunTally& tally, const RunPhase& phase, Families& out);

// One side's client: its concurrency limit and endpoint health. Endpoint
// URLs carry no credentials (the parser refuses user-info).
void append_client_families(const std::string& side, const s3::S3Client& client, Families& out);

}  // namespace s5j::metrics
