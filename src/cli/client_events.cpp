#include "cli/client_events.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "s3/s3_error.h"

namespace s5j::cli {

std::shared_ptr<ClientTally> log_client_health(s3::S3Client& client, const std::string& side, log::EventLog& events) {
  auto tally = std::make_shared<ClientTally>();
  tally->side = side;
  tally->last_limit = client.concurrency_limit();
  client.add_observer([tally, &events](const s3::RequestEvent& e) {
    if (!e.feature_refused.empty()) {  // a report, not an exchange
      events.emit("feature_fallback", {{"side", tally->side}, {"feature", e.feature_refused},
                                       {"operation", e.operation}, {"endpoint", e.endpoint},
                                       {"http_status", e.http_status}, {"code", e.error_code}});
      return;
    }
    ++tally->requests;
    if (!e.error_code.empty()) ++(e.will_retry ? tally->retries : tally->failed);
    if (!e.error_code.empty() && !e.will_retry) {
      Error error;
      error.code = e.error_code;
      const int code = exit_code_for(error);
      if (code == kCredentialsRejected || code == kAccessDenied || code == kBucketNotFound) {
        std::lock_guard lock(tally->mutex);
        if (!tally->first_refusal) tally->first_refusal = Refusal{e.operation, e.bucket, e.key, e.error_code, code};
      }
    }
    if (e.http_status == 503 || e.http_status == 429 || s3::is_throttling_code(e.error_code)) ++tally->throttled;
    if (e.endpoint_change == "down") {
      events.emit("endpoint_down", {{"side", tally->side}, {"endpoint", e.endpoint}, {"code", e.error_code}});
    } else if (e.endpoint_change == "up") {
      events.emit("endpoint_up", {{"side", tally->side}, {"endpoint", e.endpoint}});
    }
    // Only moves are logged; concurrent reports of one figure log it once.
    int was = tally->last_limit.load();
    while (e.concurrency_limit != was && !tally->last_limit.compare_exchange_weak(was, e.concurrency_limit)) {
    }
    if (e.concurrency_limit != was)
      events.emit("concurrency_changed", {{"side", tally->side}, {"limit", e.concurrency_limit}, {"was", was}});
  });
  return tally;
}

void emit_client_summary(const ClientTally& tally, const s3::S3Client& client, log::EventLog& events) {
  // Each endpoint's share: a sick one shows as failures and few requests.
  nlohmann::json endpoints = nlohmann::json::array();
  const auto& pool = client.endpoints();
  for (size_t i = 0; i < pool.size(); ++i) {
    endpoints.push_back({{"endpoint", pool.endpoint(i).url},
                         {"requests", pool.requests(i)},
                         {"failures", pool.failures(i)},
                         {"in_use", pool.is_up(i)}});
  }
  events.emit("client_summary", {{"side", tally.side},
                                 {"requests", tally.requests.load()},
                                 {"retries", tally.retries.load()},
                                 {"failed", tally.failed.load()},
                                 {"throttled", tally.throttled.load()},
                                 {"concurrency_limit", client.concurrency_limit()},
                                 {"concurrency_decreases", client.concurrency().decreases()},
                                 {"endpoints", std::move(endpoints)}});
}

namespace {

// The permission an operation needs, for the fix in the message.
std::string permission_for(const std::string& operation) {
  if (operation == "GetObject" || operation == "HeadObject") return "s3:GetObject";
  if (operation.starts_with("ListObjects")) return "s3:ListBucket";
  if (operation == "ListMultipartUploads") return "s3:ListBucketMultipartUploads";
  if (operation == "AbortMultipartUpload") return "s3:AbortMultipartUpload";
  if (operation == "DeleteObject" || operation == "DeleteObjects") return "s3:DeleteObject";
  return "s3:PutObject";  // PutObject, CopyObject, the multipart upload itself
}

}  // namespace

std::optional<std::pair<std::string, int>> refusal_message(ClientTally& tally) {
  std::lock_guard lock(tally.mutex);
  if (!tally.first_refusal) return std::nullopt;
  const Refusal& r = *tally.first_refusal;
  const std::string where = "s3://" + r.bucket + (r.key.empty() ? "" : "/" + r.key);
  std::string line;
  if (r.exit_code == kAccessDenied) {
    line = "access denied: the " + tally.side + " refused " + r.operation + " on " + where + " (" + r.code +
           "): grant the " + tally.side + " credentials " + permission_for(r.operation) +
           " on the bucket, or use credentials that have it";
  } else if (r.exit_code == kBucketNotFound) {
    line = "bucket not found: the " + tally.side + " answered " + r.code + " for " + where +
           ": check " + tally.side + ".bucket and endpoint_urls";
  } else {
    line = "credentials rejected: the " + tally.side + " refused " + r.operation + " (" + r.code + "): check " +
           tally.side + ".access_key and secret_access_key";
  }
  return std::make_pair(line, r.exit_code);
}

std::optional<int> report_failed_objects(uint64_t failed_objects, const std::vector<std::string>& failures,
                                         std::initializer_list<ClientTally*> tallies, const log::Redactor& redactor,
                                         const std::string& log_path) {
  // Objects refused for a reason the operator must fix (no permission to
  // read or write, ...): one line naming it and its exit code, not a list
  // of every object that met it.
  if (failed_objects > 0)
    for (auto* tally : tallies)
      if (tally != nullptr)
        if (auto refused = refusal_message(*tally)) {
          std::cerr << "s5j: " << redactor.apply(refused->first) << "\n";
          return refused->second;
        }
  for (const auto& f : failures) std::cerr << "s5j: failed: " << redactor.apply(f) << "\n";
  if (failed_objects > 0)
    std::cerr << "s5j: " << failed_objects << " objects failed; run again to retry them (log: " << log_path << ")\n";
  return std::nullopt;
}

}  // namespace s5j::cli
