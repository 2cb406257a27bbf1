// FaultPlan: which requests the fault proxy breaks, and how, decided per
// request from a seeded counter-based PRNG so a run can be replayed.
//
// The decision for the n-th eligible request (0-based, counted from the last
// FaultProxy::set_plan) is a pure function of (seed, n): decide_fault() draws
// from splitmix64(seed, n), never from shared generator state. So the same
// seed and the same request sequence give the same decisions, whatever the
// timing, and the requests a filter skips do not shift the sequence.
//
// Everything here is plain data and pure functions: no I/O, no locking.
// Thread safety: const functions may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s5j::testing {

enum class FaultKind {
  reset_before,        // RST the client connection before forwarding anything
  reset_mid_body,      // forward, send headers + part of the response body, then RST
  reset_after_body,    // forward, send the whole response, then RST the connection
  truncate,            // forward, send headers (full Content-Length) + part of the body, then FIN
  flip_byte,           // forward, flip one bit in one byte of the response body
  flip_request_byte,   // flip one bit in one byte of the request body on its way upstream
  status_500,          // answer 500 InternalError ourselves (not forwarded)
  status_503,          // answer 503 SlowDown ourselves (not forwarded)
  status_429,          // answer 429 TooManyRequests ourselves (not forwarded)
  request_timeout,     // answer 400 RequestTimeout ourselves (not forwarded)
  slow,                // forward, trickle the response: slow_bytes every slow_interval
  delay_past_timeout,  // forward, hold the upstream's answer for `delay` before relaying it
  down,                // RST this request, then refuse all connections for `down_for`
  not_implemented,     // answer 501 NotImplemented ourselves: a server without a feature
                       // (filter on the header or query parameter that asks for it)
};

inline constexpr size_t kFaultKindCount = 14;

// "reset_before", ... (the names the CLI and the stats JSON use).
std::string_view fault_kind_name(FaultKind kind);
std::optional<FaultKind> parse_fault_kind(std::string_view name);
const std::vector<FaultKind>& all_fault_kinds();
// "a,b,c" -> kinds; nullopt (and the bad name in *bad) on an unknown name.
std::optional<std::vector<FaultKind>> parse_fault_kinds(std::string_view list, std::string* bad = nullptr);

// The S3 operation of a path-style request, for filters: "GetObject",
// "PutObject", "UploadPart", "UploadPartCopy", "CopyObject", "HeadObject",
// "DeleteObject", "CreateMultipartUpload", "CompleteMultipartUpload",
// "AbortMultipartUpload", "ListParts", "ListObjects", "ListObjectsV2",
// "ListMultipartUploads", "DeleteObjects", "HeadBucket", "CreateBucket",
// "DeleteBucket", "ListBuckets", or "Unknown". Virtual-hosted requests
// (bucket in Host) are not recognised.
std::string classify_operation(std::string_view method, std::string_view path, std::string_view query,
                               bool has_copy_source);

struct RequestInfo {
  std::string_view method;
  std::string_view path;   // request-target up to '?'
  std::string_view query;  // after '?', "" when none
  bool has_copy_source = false;  // x-amz-copy-source header present
  std::vector<std::string> header_names;  // every request header's name, lower case
};

// Which requests are eligible. Empty fields match everything; all non-empty
// fields must match.
struct RequestFilter {
  std::vector<std::string> methods;     // "GET", "PUT", ... (exact, upper case)
  std::vector<std::string> operations;  // classify_operation() names
  std::optional<std::regex> path;       // regex_search over the raw (encoded) path
  std::optional<std::regex> query;      // regex_search over the raw query
  std::vector<std::string> headers;     // names (lower case) that must all be present, e.g. "if-match"

  bool matches(const RequestInfo& request) const;
};

struct FaultPlan {
  uint64_t seed = 1;
  double rate = 0.0;             // probability that an eligible request is faulted (0..1)
  std::vector<FaultKind> kinds;  // chosen uniformly; empty = no faults
  RequestFilter filter;
  uint64_t max_faults = 0;  // stop faulting after this many decisions to fault; 0 = no limit

  // Parameters of the kinds that take time.
  size_t slow_bytes = 1024;                             // slow: bytes per piece
  std::chrono::milliseconds slow_interval{100};         // slow: pause before each piece
  std::chrono::milliseconds delay{30'000};              // delay_past_timeout: hold time
  std::chrono::milliseconds down_for{2'000};            // down: window length (0: until come_up())
};

// Sustained throttling: while active, each request matching `filter` is,
// with probability `fraction` (drawn like faults, from `seed` and the index
// of the request within the window), answered 503 SlowDown by the proxy.
// Throttling is checked before the fault plan and does not consume a plan
// index.
struct ThrottleWindow {
  double fraction = 1.0;
  std::chrono::milliseconds duration{0};  // 0 = until stop_throttle()
  RequestFilter filter;
  uint64_t seed = 1;
};

struct FaultDecision {
  std::optional<FaultKind> kind;  // nullopt: forward untouched
  uint64_t param = 0;  // a further draw: picks the cut/flip position (param % body length)
};

// splitmix64 over (seed, index): uniform 64-bit draws, `lane` picks one of
// several independent draws for the same request.
uint64_t fault_draw(uint64_t seed, uint64_t index, uint64_t lane);

// The decision for the `index`-th eligible request of a plan (ignores
// max_faults and the filter: the caller applies those).
FaultDecision decide_fault(uint64_t seed, double rate, std::span<const FaultKind> kinds, uint64_t index);

// True with probability `fraction` for the `index`-th request of a window.
bool decide_throttle(uint64_t seed, double fraction, uint64_t index);

}  // namespace s5j::testing
