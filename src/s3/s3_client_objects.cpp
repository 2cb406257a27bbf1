// S3Client's object operations: HEAD, GET (resumed with Range + If-Match
// when the connection breaks), PUT, DELETE (single and batched), CopyObject.
#include "s3/s3_client.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "base/strings.h"
#include "s3/s3_client_call.h"
#include "s3/put_headers.h"
#include "s3/s3_error.h"
#include "s3/uri_encode.h"

namespace s5j::s3 {
namespace {

std::string md5_base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return base64_encode(std::span<const unsigned char>(digest, len));
}

bool is_metadata_header(std::string_view name) {
  static constexpr std::string_view kCarried[] = {"content-type", "content-encoding", "content-disposition",
                                                  "content-language", "cache-control", "expires",
                                                  "x-amz-website-redirect-location"};
  for (auto h : kCarried)
    if (iequals(name, h)) return true;
  return starts_with_icase(name, "x-amz-meta-");
}

ObjectHead head_from_headers(const http::Headers& headers, uint64_t fallback_size) {
  ObjectHead head;
  head.size = fallback_size;
  for (const auto& h : headers) {
    if (iequals(h.name, "content-length")) {
      head.size = std::strtoull(h.value.c_str(), nullptr, 10);
    } else if (iequals(h.name, "etag")) {
      head.etag = strip_quotes(trim(h.value));
    } else if (iequals(h.name, "last-modified")) {
      if (auto t = parse_http_date(h.value)) head.last_modified = *t;
    } else if (iequals(h.name, "x-amz-mp-parts-count")) {
      head.parts_count = std::atoi(h.value.c_str());
    } else if (iequals(h.name, "x-amz-storage-class")) {
      head.storage_class = h.value;
    }
    if (is_metadata_header(h.name)) head.metadata.headers.push_back({to_lower(h.name), std::string(trim(h.value))});
  }
  head.raw_headers = headers;
  return head;
}

// "bytes 100-199/1000" → total size 1000 (Content-Range of a ranged GET).
std::optional<uint64_t> total_from_content_range(const http::Headers& headers) {
  auto cr = http::find_header(headers, "content-range");
  if (!cr) return std::nullopt;
  auto slash = cr->rfind('/');
  if (slash == std::string_view::npos || cr->substr(slash + 1) == "*") return std::nullopt;
  return std::strtoull(std::string(cr->substr(slash + 1)).c_str(), nullptr, 10);
}

// What a server honouring If-Match would have answered (412), for a server
// that does not, found by comparing the ETag ourselves.
Error etag_changed(std::string_view operation, const std::string& expected, const std::string& seen,
                   const http::Headers& headers) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = kPreconditionFailed;
  e.http_status = 412;
  e.message = std::string(operation) + ": the object's ETag is now " + (seen.empty() ? "(none)" : seen) +
              ", not " + expected + " (compared by s5j: this server does not honour If-Match)";
  if (auto id = http::find_header(headers, "x-amz-request-id")) e.request_id = std::string(*id);
  return e;
}

}  // namespace

Result<ObjectHead> S3Client::head_object(const std::string& bucket, const std::string& key, const GetOptions& options) {
  Call call{.operation = "HeadObject", .method = "HEAD", .bucket = bucket, .key = key, .has_key = true};
  call.head = true;
  if (options.part_number > 0) {
    if (!honours_part_number())
      return make_error(ErrorKind::permanent, kNotImplemented,
                        "HeadObject ?partNumber: this server refused it earlier in the run");
    call.query.push_back({"partNumber", std::to_string(options.part_number)});
  }
  if (options.checksum_mode) call.headers.push_back({"x-amz-checksum-mode", "ENABLED"});
  const bool conditional = !options.if_match.empty() && honours_conditional_reads();
  if (conditional) call.headers.push_back({"If-Match", "\"" + options.if_match + "\""});
  auto r = execute(call);
  if (!r && conditional && refuses_feature(r.error())) {
    note_refused_feature(conditional_refused_, "If-Match", call, r.error());
    return head_object(bucket, key, options);
  }
  if (!r && options.part_number > 0 && refuses_feature(r.error()))
    note_refused_feature(part_number_refused_, "partNumber", call, r.error());
  if (!r) return std::unexpected(r.error());
  ObjectHead head = head_from_headers(r->headers, 0);
  if (!conditional && !options.if_match.empty() && head.etag != options.if_match)
    return std::unexpected(etag_changed("HeadObject", options.if_match, head.etag, r->headers));
  return head;
}

Result<ObjectHead> S3Client::get_object(const std::string& bucket, const std::string& key, const GetOptions& options,
                                        const http::BodySink& sink) {
  Call call{.operation = "GetObject", .method = "GET", .bucket = bucket, .key = key, .has_key = true};
  if (options.part_number > 0) call.query.push_back({"partNumber", std::to_string(options.part_number)});
  call.expected_response_bytes = options.range ? options.range->length() : options.expected_size;

  // Resume state: bytes already handed to `sink`, and the ETag of the first
  // answer, which every resumed request must still match.
  uint64_t delivered = 0;
  std::string pinned_etag = options.if_match;
  const uint64_t first_byte = options.range ? options.range->first : 0;
  bool conditional = false;  // the request being sent carries If-Match
  auto set_request_headers = [&](Call& c) {
    c.headers.clear();
    if (options.range || delivered > 0) {
      std::string range = "bytes=" + std::to_string(first_byte + delivered) + "-";
      if (options.range) range += std::to_string(options.range->last);
      c.headers.push_back({"Range", range});
    }
    conditional = !pinned_etag.empty() && honours_conditional_reads();
    if (conditional) c.headers.push_back({"If-Match", "\"" + pinned_etag + "\""});
  };
  set_request_headers(call);
  call.before_retry = set_request_headers;
  call.on_headers = [&](int status, const http::Headers& headers) -> Status {
    if (status < 200 || status >= 300) return {};
    const auto etag = http::find_header(headers, "etag");
    const std::string seen = etag ? strip_quotes(trim(*etag)) : std::string();
    if (pinned_etag.empty()) {
      pinned_etag = seen;
    } else if (!conditional && seen != pinned_etag) {
      // The server ignored no condition: it was not asked. Stop before a
      // byte of another version reaches the sink.
      return std::unexpected(etag_changed("GetObject", pinned_etag, seen, headers));
    }
    return {};
  };
  call.sink = [&](std::string_view chunk) -> Status {
    delivered += chunk.size();
    return sink(chunk);
  };
  auto r = execute(call);
  if (!r && conditional && delivered == 0 && refuses_feature(r.error())) {
    note_refused_feature(conditional_refused_, "If-Match", call, r.error());
    set_request_headers(call);
    r = execute(call);
  }
  if (!r) return std::unexpected(r.error());
  ObjectHead head = head_from_headers(r->headers, delivered);
  if (auto total = total_from_content_range(r->headers)) head.size = *total;
  else if (!options.range && delivered > 0) head.size = first_byte + delivered;
  if (head.etag.empty()) head.etag = pinned_etag;
  return head;
}

Result<std::string> S3Client::put_object(const std::string& bucket, const std::string& key, const BodySource& body,
                                         const PutOptions& options) {
  Call call{.operation = "PutObject", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.body = &body;
  call.headers = put_headers(options);
  auto r = execute_with_checksum(call, body.checksum);
  if (!r) return std::unexpected(r.error());
  auto etag = http::find_header(r->headers, "etag");
  return etag ? strip_quotes(trim(*etag)) : std::string();
}

Result<std::vector<std::pair<std::string, std::string>>> S3Client::get_object_tagging(const std::string& bucket,
                                                                                     const std::string& key) {
  Call call{.operation = "GetObjectTagging", .method = "GET", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"tagging", ""});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_tagging(r->body);
}

Status S3Client::delete_object(const std::string& bucket, const std::string& key) {
  Call call{.operation = "DeleteObject", .method = "DELETE", .bucket = bucket, .key = key, .has_key = true};
  auto r = execute(call);
  if (!r) {
    if (r.error().code == kNoSuchKey) return {};  // already gone: the goal is reached
    return std::unexpected(r.error());
  }
  return {};
}

Result<DeleteObjectsResult> S3Client::delete_objects(const std::string& bucket, const std::vector<std::string>& keys) {
  // XML 1.0 cannot carry some control characters: such keys would make the
  // server refuse the whole batch, so they go as single DeleteObject calls.
  std::vector<std::string> batch;
  DeleteObjectsResult single;
  for (const auto& key : keys) {
    if (xml_can_carry(key)) {
      batch.push_back(key);
    } else if (auto d = delete_object(bucket, key); d) {
      single.deleted.push_back(key);
    } else {
      single.errors.push_back({key, d.error().code, d.error().message});
    }
  }
  if (batch.empty()) return single;
  Call call{.operation = "DeleteObjects", .method = "POST", .bucket = bucket};
  call.bucket_level = true;
  call.query.push_back({"delete", ""});
  call.owned_body = build_delete_objects(batch, true);
  call.owned_body_md5 = md5_base64(call.owned_body);  // required by S3 (and Swift) for DeleteObjects
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  auto result = parse_delete_objects(r->body);
  if (!result) return result;
  result->deleted.insert(result->deleted.end(), single.deleted.begin(), single.deleted.end());
  result->errors.insert(result->errors.end(), single.errors.begin(), single.errors.end());
  return result;
}

Result<CopyResult> S3Client::copy_object(const std::string& source_bucket, const std::string& source_key,
                                         const std::string& bucket, const std::string& key,
                                         const CopyOptions& options) {
  Call call{.operation = "CopyObject", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.error_in_200 = true;
  call.headers.push_back({"x-amz-copy-source", uri_encode(source_bucket, false) + "/" + uri_encode(source_key, true)});
  if (!options.if_match.empty())
    call.headers.push_back({"x-amz-copy-source-if-match", "\"" + options.if_match + "\""});
  for (auto& h : copy_headers(options)) call.headers.push_back(std::move(h));
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_copy_result(r->body);
}

}  // namespace s5j::s3
