#include "fault/fault_plan.h"

#include <algorithm>
#include <array>

namespace s5j::testing {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, kFaultKindCount> kNames = {{
    {FaultKind::reset_before, "reset_before"},
    {FaultKind::reset_mid_body, "reset_mid_body"},
    {FaultKind::reset_after_body, "reset_after_body"},
    {FaultKind::truncate, "truncate"},
    {FaultKind::flip_byte, "flip_byte"},
    {FaultKind::flip_request_byte, "flip_request_byte"},
    {FaultKind::status_500, "status_500"},
    {FaultKind::status_503, "status_503"},
    {FaultKind::status_429, "status_429"},
    {FaultKind::request_timeout, "request_timeout"},
    {FaultKind::not_implemented, "not_implemented"},
    {FaultKind::slow, "slow"},
    {FaultKind::delay_past_timeout, "delay_past_timeout"},
    {FaultKind::down, "down"},
}};

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) from the top 53 bits.
double unit_interval(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

// True when the query string has a parameter of this name ("uploads",
// "partNumber=3", ...).
bool has_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    item = item.substr(0, item.find('='));
    if (item == name) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "unknown";
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (const auto& [k, n] : kNames)
    if (n == name) return k;
  return std::nullopt;
}

const std::vector<FaultKind>& all_fault_kinds() {
  static const std::vector<FaultKind> kinds = [] {
    std::vector<FaultKind> v;
    for (const auto& [k, name] : kNames) v.push_back(k);
    return v;
  }();
  return kinds;
}

std::optional<std::vector<FaultKind>> parse_fault_kinds(std::string_view list, std::string* bad) {
  std::vector<FaultKind> kinds;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (!name.empty()) {
      auto kind = parse_fault_kind(name);
      if (!kind) {
        if (bad != nullptr) *bad = std::string(name);
        return std::nullopt;
      }
      kinds.push_back(*kind);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return kinds;
}

std::string classify_operation(std::string_view method, std::string_view path, std::string_view query,
                               bool has_copy_source) {
  // Path-style: "/" is the service, "/bucket[/]" the bucket, anything longer an object.
  std::string_view rest = path.substr(std::min<size_t>(1, path.size()));
  if (rest.empty()) return method == "GET" ? "ListBuckets" : "Unknown";
  const size_t slash = rest.find('/');
  const bool bucket_level = slash == std::string_view::npos || slash + 1 == rest.size();
  if (bucket_level) {
    if (method == "GET") {
      if (has_param(query, "uploads")) return "ListMultipartUploads";
      if (has_param(query, "list-type")) return "ListObjectsV2";
      return "ListObjects";
    }
    if (method == "HEAD") return "HeadBucket";
    if (method == "PUT") return "CreateBucket";
    if (method == "DELETE") return "DeleteBucket";
    if (method == "POST" && has_param(query, "delete")) return "DeleteObjects";
    return "Unknown";
  }
  const bool part = has_param(query, "partNumber") && has_param(query, "uploadId");
  if (method == "GET") return has_param(query, "uploadId") ? "ListParts" : "GetObject";
  if (method == "HEAD") return "HeadObject";
  if (method == "PUT") {
    if (part) return has_copy_source ? "UploadPartCopy" : "UploadPart";
    return has_copy_source ? "CopyObject" : "PutObject";
  }
  if (method == "POST") {
    if (has_param(query, "uploads")) return "CreateMultipartUpload";
    if (has_param(query, "uploadId")) return "CompleteMultipartUpload";
    return "Unknown";
  }
  if (method == "DELETE") return has_param(query, "uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  return "Unknown";
}

bool RequestFilter::matches(const RequestInfo& request) const {
  if (!methods.empty() && std::find(methods.begin(), methods.end(), request.method) == methods.end()) return false;
  if (!operations.empty()) {
    const std::string op = classify_operation(request.method, request.path, request.query, request.has_copy_source);
    if (std::find(operations.begin(), operations.end(), op) == operations.end()) return false;
  }
  if (path && !std::regex_search(request.path.begin(), request.path.end(), *path)) return false;
  if (query && !std::regex_search(request.query.begin(), request.query.end(), *query)) return false;
  for (const std::string& name : headers)
    if (std::find(request.header_names.begin(), request.header_names.end(), name) == request.header_names.end())
      return false;
  return true;
}

uint64_t fault_draw(uint64_t seed, uint64_t index, uint64_t lane) {
  return splitmix64(splitmix64(splitmix64(seed) ^ index) ^ (lane * 0xD6E8FEB86659FD93ULL));
}

FaultDecision decide_fault(uint64_t seed, double rate, std::span<const FaultKind> kinds, uint64_t index) {
  FaultDecision d;
  if (kinds.empty() || rate <= 0.0) return d;
  if (unit_interval(fault_draw(seed, index, 0)) >= rate) return d;
  d.kind = kinds[fault_draw(seed, index, 1) % kinds.size()];
  d.param = fault_draw(seed, index, 2);
  return d;
}

bool decide_throttle(uint64_t seed, double fraction, uint64_t index) {
  if (fraction <= 0.0) return false;
  return unit_interval(fault_draw(seed, index, 3)) < fraction;
}

}  // namespace s5j::testing
