// Client health in the event log: the S3 clients report endpoint failover,
// retries and adaptive concurrency through their RequestObserver (s3 itself
// never logs); this turns those reports into events of the run's log.
//
//   endpoint_down        {side, endpoint, code}   an endpoint was set aside
//                                                 (connection refused, not
//                                                 resolved, or 3 server errors,
//                                                 timeouts or broken
//                                                 connections in a row);
//                                                 requests fail over
//   endpoint_up          {side, endpoint}         first answer after that
//   feature_fallback     {side, feature, operation, endpoint, http_status, code}
//                                                 the server refused a feature
//                                                 (If-Match, ...); the client does
//                                                 without it from now on (once per
//                                                 feature and run)
//   concurrency_changed  {side, limit, was}       the adaptive request limit
//                                                 moved (throttling, recovery)
//   client_summary       {side, requests, retries, failed, throttled,
//                         concurrency_limit, concurrency_decreases,
//                         endpoints[{endpoint, requests, failures, in_use}]}
//                                                 at the end of a run: the
//                                                 client's own counts, to be
//                                                 compared with request_retried
//
// Thread safety: the observer runs on request threads; it keeps its state
// in atomics and EventLog::emit is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "log/event_log.h"
#include "log/redactor.h"
#include "s3/s3_client.h"

namespace s5j::cli {

// A request the server refused for good in a way that is the operator's to
// fix (credentials rejected, access denied, bucket missing).
struct Refusal {
  std::string operation;  // "GetObject"
  std::string bucket;
  std::string key;
  std::string code;  // "AccessDenied"
  int exit_code = 0;  // what exit_code_for() makes of the code
};

// What one client did, counted by its observer.
struct ClientTally {
  std::string side;
  std::atomic<uint64_t> requests{0};   // HTTP exchanges (attempts), answered or not
  std::atomic<uint64_t> retries{0};    // exchanges that failed and were tried again
  std::atomic<uint64_t> failed{0};     // exchanges that failed for good (no retry)
  std::atomic<uint64_t> throttled{0};  // answers asking to slow down (503, 429, SlowDown...)
  std::atomic<int> last_limit{0};      // concurrency limit last logged
  std::mutex mutex;
  std::optional<Refusal> first_refusal;  // guarded by mutex
};

// Adds the observer to `client` (before its first request); `events` must
// outlive the client's use.
std::shared_ptr<ClientTally> log_client_health(s3::S3Client& client, const std::string& side, log::EventLog& events);

// Emits `client_summary` for `tally`.
void emit_client_summary(const ClientTally& tally, const s3::S3Client& client, log::EventLog& events);

// When objects failed because a server refused requests for a reason the
// operator must fix, that refusal as one line ("access denied: the source
// refused GetObject on s3://b/k (AccessDenied): grant ... or ...") and its
// exit code (4, 5, 6); nullopt when no such refusal was seen.
std::optional<std::pair<std::string, int>> refusal_message(ClientTally& tally);

// The end of a run with failed objects, on stderr: the refusal of the first
// tally that saw one (and its exit code, returned), else each failure and a
// line pointing at the event log. Null tallies are skipped. Returns nullopt
// when no refusal decides the exit code.
std::optional<int> report_failed_objects(uint64_t failed_objects, const std::vector<std::string>& failures,
                                         std::initializer_list<ClientTally*> tallies, const log::Redactor& redactor,
                                         const std::string& log_path);

}  // namespace s5j::cli
