// The job-level families, from the same ops::StatusReport `s5j status`
// prints (so /metrics, the page and `status --json` give one figure for the
// ETA and the throughput):
//
//   s5j_job_objects{state}, s5j_job_bytes{state}   the ledger's totals
//   s5j_job_remaining_objects, s5j_job_remaining_bytes   neither verified nor vanished
//   s5j_job_eta_seconds               only while a run is active (ops/eta.h)
//   s5j_job_remaining_size_class_objects{size_class}   objects left per size class
//   s5j_job_workers                   live processes of the job (several in a fleet)
//   s5j_job_throughput_bytes_per_second{window="last_minute"|"run"}
//   s5j_job_run_active                1 while a run holds the job
//   s5j_job_activity{activity}        1 for what the active run does now
//   s5j_staging_volume_size_bytes{volume}, _free_bytes, _usable_bytes,
//   s5j_staging_volume_staged_bytes{volume}, s5j_staging_volume_partial_bytes{volume}
//   s5j_job_recent_errors{kind}       among the last recorded errors
//
// Pure.
#pragma once

#include "metrics/metric_families.h"
#include "ops/status_report.h"

namespace s5j::metrics {

void append_job_families(const ops::StatusReport& report, Families& out);

}  // namespace s5j::metrics
