#include "s3/s3_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "base/strings.h"
#include "http/transport_error.h"
#include "s3/s3_error.h"
#include "s3/uri_encode.h"

namespace s5j::s3 {

// One logical request, as execute() needs it. Filled by each operation.
struct S3Client::Call {
  std::string operation;
  std::string method;
  std::string bucket;
  std::string key;
  bool has_key = false;  // the path names an object (possibly with an empty-looking key)
  QueryParams query;
  http::Headers headers;
  const BodySource* body = nullptr;  // streamed or caller-owned body
  std::string owned_body;            // small XML bodies built by the client
  std::string owned_body_md5;        // base64 MD5 of owned_body when the server needs it
  http::BodySink sink;
  std::function<Status(int, const http::Headers&)> on_headers;
  uint64_t expected_response_bytes = 0;  // 0: unknown
  bool error_in_200 = false;  // Copy/Complete: a 200 may carry <Error>
  bool bucket_level = false;  // a bodiless 404 means NoSuchBucket
  bool head = false;
  // Called before every retry (GET resume adjusts Range and If-Match).
  std::function<void(Call&)> before_retry;
};

namespace {

std::string strip_quotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

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

// Region the server expects, from an AuthorizationHeaderMalformed message
// ("... the region 'us-east-1' is wrong; expecting 'eu-west-1'") or <Region>.
std::string expected_region(const http::Response& response) {
  if (auto r = http::find_header(response.headers, "x-amz-bucket-region")) return std::string(trim(*r));
  auto body = parse_error_body(response.body);
  if (!body) return {};
  if (!body->region.empty()) return body->region;
  auto pos = body->message.find("expecting '");
  if (pos == std::string::npos) return {};
  pos += 11;
  auto end = body->message.find('\'', pos);
  return end == std::string::npos ? std::string() : body->message.substr(pos, end - pos);
}

std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers) {
  auto v = http::find_header(headers, "x-amz-retry-after");
  if (!v) v = http::find_header(headers, "retry-after");
  if (!v) return std::nullopt;
  char* end = nullptr;
  std::string s(trim(*v));
  double seconds = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || seconds < 0) return std::nullopt;
  // x-amz-retry-after is in milliseconds, Retry-After in seconds.
  if (http::find_header(headers, "x-amz-retry-after")) return std::chrono::milliseconds(static_cast<int64_t>(seconds));
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

}  // namespace

S3Client::S3Client(ClientOptions options, std::shared_ptr<http::Transport> transport, const Clock& clock)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      clock_(clock),
      signer_(options_.credentials),
      retry_(options_.retry),
      limiter_(options_.concurrency, clock),
      region_(options_.region) {
  std::vector<Endpoint> endpoints;
  for (const auto& url : options_.endpoint_urls) {
    auto e = parse_endpoint(url);
    if (!e) throw std::invalid_argument(e.error().message);  // make_client() validates first
    endpoints.push_back(*e);
  }
  if (endpoints.empty()) throw std::invalid_argument("S3Client needs at least one endpoint URL");
  pool_ = std::make_unique<EndpointPool>(std::move(endpoints), clock_);
  list_v1_ = options_.list_api == ListApi::v1;
}

Result<std::unique_ptr<S3Client>> make_client(ClientOptions options, std::shared_ptr<http::Transport> transport,
                                              const Clock& clock) {
  if (options.endpoint_urls.empty())
    return make_error(ErrorKind::permanent, kInvalidEndpoint, "no endpoint URL configured");
  for (const auto& url : options.endpoint_urls)
    if (auto e = parse_endpoint(url); !e) return std::unexpected(e.error());
  return std::make_unique<S3Client>(std::move(options), std::move(transport), clock);
}

std::string S3Client::region() const {
  std::lock_guard lock(region_mutex_);
  return region_;
}

std::string S3Client::request_url(const Endpoint& endpoint, const Call& call, std::string& encoded_path) const {
  std::string host = endpoint.host_header;
  if (options_.virtual_hosted && !call.bucket.empty()) {
    host = call.bucket + "." + endpoint.host_header;
    encoded_path = call.has_key ? encode_virtual_hosted(call.key) : "/";
  } else {
    encoded_path = call.has_key ? encode_path_style(call.bucket, call.key) : encode_path_style(call.bucket, "");
  }
  std::string url = endpoint.scheme + "://" + host + encoded_path;
  if (!call.query.empty()) url += "?" + canonical_query_string(call.query);
  return url;
}

Result<http::Response> S3Client::execute_once(Call& call, size_t endpoint_index, int /*attempt*/) {
  const Endpoint& endpoint = pool_->endpoint(endpoint_index);
  http::Request request;
  request.method = call.method;
  std::string encoded_path;
  request.url = request_url(endpoint, call, encoded_path);
  request.headers = call.headers;

  std::string payload_hash;
  if (call.body != nullptr) {
    const BodySource& body = *call.body;
    request.body_size = body.size;
    if (body.open) {
      request.body_reader = body.open();
    } else {
      request.borrowed_body = body.data;  // outlives the call (BodySource contract)
    }
    if (!body.content_md5.empty()) request.headers.push_back({"Content-MD5", body.content_md5});
    for (const auto& h : body.extra_headers) request.headers.push_back(h);
    if (!body.sha256_hex.empty())
      payload_hash = body.sha256_hex;
    else if (!body.open && body.size < options_.sign_body_below)
      payload_hash = sha256_hex(body.data);
    else
      payload_hash = std::string(kUnsignedPayload);
  } else if (!call.owned_body.empty()) {
    request.body = call.owned_body;
    request.body_size = call.owned_body.size();
    if (!call.owned_body_md5.empty()) request.headers.push_back({"Content-MD5", call.owned_body_md5});
    payload_hash = sha256_hex(call.owned_body);
  } else {
    payload_hash = std::string(kEmptyPayloadSha256);
  }

  SigningRequest signing;
  signing.method = call.method;
  signing.host = options_.virtual_hosted && !call.bucket.empty() ? call.bucket + "." + endpoint.host_header
                                                                  : endpoint.host_header;
  signing.encoded_path = encoded_path;
  signing.query = call.query;
  signing.headers = request.headers;
  signing.payload_sha256 = payload_hash;
  signing.region = region();
  signing.time = clock_.now() + std::chrono::milliseconds(clock_offset_ms_.load());
  auto signed_headers = signer_.sign(signing);
  for (auto& h : signed_headers.headers) request.headers.push_back(std::move(h));

  request.sink = call.sink;
  request.on_headers = call.on_headers;
  request.expected_response_bytes = call.expected_response_bytes;
  auto response = transport_->perform(request);
  if (!response) {
    Error e = response.error();
    if (e.endpoint.empty()) e.endpoint = endpoint.url;
    if (e.message.find(call.operation) == std::string::npos) e.message = call.operation + ": " + e.message;
    return std::unexpected(std::move(e));
  }
  return response;
}

void S3Client::notify(const RequestEvent& event) const {
  if (observer_) observer_(event);
  for (const auto& o : extra_observers_) o(event);
}

Result<http::Response> S3Client::execute(Call& call) {
  size_t avoid = SIZE_MAX;
  bool skew_fixed = false;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && call.before_retry) call.before_retry(call);
    // The permit is held for one attempt only: a request waiting out its
    // backoff puts no load on the server.
    auto permit = limiter_.acquire();
    const size_t index = pool_->acquire(avoid);
    const auto started = clock_.steady_now();
    auto response = execute_once(call, index, attempt);
    // Only a failure to reach this endpoint marks it down and fails over: a
    // proxy failure is every endpoint's (they share the proxy), and a
    // timeout or broken connection says the endpoint was reached.
    const bool connect_failed =
        !response && http::connection_failure_of(response.error()) == http::ConnectionFailure::endpoint_unreachable;
    const auto health = pool_->release(index, connect_failed);
    {
      using Outcome = ConcurrencyLimiter::Outcome;
      Outcome outcome = Outcome::neutral;
      if (response) {
        const int st = response->status;
        if (st == 503 || st == 429) {
          outcome = Outcome::throttled;
        } else if (st >= 200 && st < 300) {
          outcome = Outcome::success;
        } else if (st >= 500 || st == 400) {
          // Throttling codes also come with other statuses (400 Throttling).
          if (auto body = parse_error_body(response->body); body && is_throttling_code(body->code))
            outcome = Outcome::throttled;
        }
      }
      permit.release(outcome);
    }

    RequestEvent event;
    event.concurrency_limit = limiter_.limit();
    if (health == EndpointPool::HealthChange::marked_down) event.endpoint_change = "down";
    if (health == EndpointPool::HealthChange::came_back) event.endpoint_change = "up";
    event.operation = call.operation;
    event.endpoint = pool_->endpoint(index).url;
    event.bucket = call.bucket;
    event.key = call.key;
    event.attempt = attempt;
    event.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - started);
    if (call.body) event.bytes_sent = call.body->size;

    Error error;
    std::optional<std::chrono::milliseconds> server_retry_after;
    if (response) {
      event.http_status = response->status;
      event.bytes_received = response->body_bytes;
      const bool ok_status = response->status >= 200 && response->status < 300;
      std::optional<ErrorBody> body_error;
      if (ok_status && call.error_in_200) body_error = parse_error_body(response->body);
      if (ok_status && !body_error) {
        retry_.on_success();
        notify(event);
        return response;
      }
      error = error_from_response(*response, call.operation,
                                  call.has_key ? call.bucket + "/" + call.key : call.bucket, call.bucket_level);
      error.endpoint = event.endpoint;
      // An error answer to HEAD has no body, so no code: a 400 may be a
      // transient RequestTimeout as well as a bad request. HEAD is
      // idempotent and cheap: it is retried (bounded by attempts and budget).
      if (call.head && response->status == 400 && response->body.empty()) error.kind = ErrorKind::retryable;
      server_retry_after = retry_after(response->headers);

      // Self-corrections that do not count against the retry budget.
      if (error.code == kRequestTimeTooSkewed && !skew_fixed) {
        if (auto date = http::find_header(response->headers, "date"))
          if (auto server_now = parse_http_date(*date)) {
            clock_offset_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(*server_now - clock_.now()).count();
            skew_fixed = true;
            event.error_code = error.code;
            event.will_retry = true;
            notify(event);
            --attempt;
            continue;
          }
      }
      if ((error.code == kAuthorizationHeaderMalformed || error.code == kPermanentRedirect ||
           response->status == 301) &&
          !region_corrected_.exchange(true)) {
        std::string want = expected_region(*response);
        if (!want.empty() && want != region()) {
          {
            std::lock_guard lock(region_mutex_);
            region_ = want;
          }
          event.error_code = error.code;
          event.will_retry = true;
          notify(event);
          --attempt;
          continue;
        }
      }
    } else {
      error = response.error();
    }

    event.error_code = error.code;
    auto delay = retry_.next_delay(error, attempt, server_retry_after);
    event.will_retry = delay.has_value();
    notify(event);
    if (!delay) {
      if (error.retryable() && attempt > 1) error.message += " (after " + std::to_string(attempt) + " attempts)";
      return std::unexpected(std::move(error));
    }
    avoid = index;
    // A connection failure fails over at once when another endpoint is up.
    if (connect_failed && pool_->size() > 1) {
      bool other_up = false;
      for (size_t i = 0; i < pool_->size(); ++i) other_up |= (i != index && pool_->is_up(i));
      if (other_up) continue;
    }
    clock_.sleep_for(*delay);
  }
}

// ------------------------------------------------------------------ buckets

Result<std::vector<BucketInfo>> S3Client::list_buckets() {
  Call call{.operation = "ListBuckets", .method = "GET"};
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_list_buckets(r->body);
}

Status S3Client::head_bucket(const std::string& bucket) {
  Call call{.operation = "HeadBucket", .method = "HEAD", .bucket = bucket};
  call.bucket_level = true;
  call.head = true;
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return {};
}

Status S3Client::create_bucket(const std::string& bucket) {
  Call call{.operation = "CreateBucket", .method = "PUT", .bucket = bucket};
  call.bucket_level = true;
  const std::string region = this->region();
  if (region != "us-east-1" && region != "snow")
    call.owned_body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" + region +
        "</LocationConstraint></CreateBucketConfiguration>";
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return {};
}

Status S3Client::delete_bucket(const std::string& bucket) {
  Call call{.operation = "DeleteBucket", .method = "DELETE", .bucket = bucket};
  call.bucket_level = true;
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return {};
}

// ------------------------------------------------------------------ listing

Result<ListPage> S3Client::list_objects(const ListRequest& request) {
  auto list_once = [&](bool v1) -> Result<ListPage> {
    Call call{.operation = v1 ? "ListObjects" : "ListObjectsV2", .method = "GET", .bucket = request.bucket};
    call.bucket_level = true;
    if (!v1) call.query.push_back({"list-type", "2"});
    call.query.push_back({"encoding-type", "url"});
    call.query.push_back({"max-keys", std::to_string(request.max_keys)});
    if (!request.prefix.empty()) call.query.push_back({"prefix", request.prefix});
    if (!request.delimiter.empty()) call.query.push_back({"delimiter", request.delimiter});
    if (v1) {
      const std::string& marker = request.continuation.empty() ? request.start_after : request.continuation;
      if (!marker.empty()) call.query.push_back({"marker", marker});
    } else if (!request.continuation.empty()) {
      call.query.push_back({"continuation-token", request.continuation});
    } else if (!request.start_after.empty()) {
      call.query.push_back({"start-after", request.start_after});
    }
    auto r = execute(call);
    if (!r) return std::unexpected(r.error());
    return v1 ? parse_list_objects_v1(r->body) : parse_list_objects_v2(r->body);
  };
  if (list_v1_) return list_once(true);
  auto page = list_once(false);
  // Servers without ListObjectsV2 (the legacy Snowball adapter) refuse it
  // with 501 NotImplemented or 400 InvalidArgument, or ignore list-type and
  // answer a v1 document; fall back to v1 for the rest of the run.
  if (options_.list_api == ListApi::automatic && !page &&
      (page.error().code == kNotImplemented || page.error().http_status == 501 ||
       page.error().code == kInvalidArgument || page.error().code == kMalformedXml)) {
    list_v1_ = true;
    return list_once(true);
  }
  // A server that ignored list-type=2 answers a truncated page without a
  // continuation token: continue with v1 markers instead of looping.
  if (options_.list_api == ListApi::automatic && page && page->is_truncated && page->next_continuation_token.empty()) {
    list_v1_ = true;
    return list_once(true);
  }
  return page;
}

// ------------------------------------------------------------------ objects

Result<ObjectHead> S3Client::head_object(const std::string& bucket, const std::string& key, const GetOptions& options) {
  Call call{.operation = "HeadObject", .method = "HEAD", .bucket = bucket, .key = key, .has_key = true};
  call.head = true;
  if (options.part_number > 0) call.query.push_back({"partNumber", std::to_string(options.part_number)});
  if (!options.if_match.empty()) call.headers.push_back({"If-Match", "\"" + options.if_match + "\""});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return head_from_headers(r->headers, 0);
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
  auto set_request_headers = [&](Call& c) {
    c.headers.clear();
    if (options.range || delivered > 0) {
      std::string range = "bytes=" + std::to_string(first_byte + delivered) + "-";
      if (options.range) range += std::to_string(options.range->last);
      c.headers.push_back({"Range", range});
    }
    if (!pinned_etag.empty()) c.headers.push_back({"If-Match", "\"" + pinned_etag + "\""});
  };
  set_request_headers(call);
  call.before_retry = set_request_headers;
  call.on_headers = [&](int status, const http::Headers& headers) -> Status {
    if (status >= 200 && status < 300 && pinned_etag.empty())
      if (auto etag = http::find_header(headers, "etag")) pinned_etag = strip_quotes(trim(*etag));
    return {};
  };
  call.sink = [&](std::string_view chunk) -> Status {
    delivered += chunk.size();
    return sink(chunk);
  };
  auto r = execute(call);
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
  call.headers = options.metadata.headers;
  if (!options.storage_class.empty()) call.headers.push_back({"x-amz-storage-class", options.storage_class});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  auto etag = http::find_header(r->headers, "etag");
  return etag ? strip_quotes(trim(*etag)) : std::string();
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
                                         const std::string& bucket, const std::string& key, const std::string& if_match,
                                         const PutOptions* replace_metadata) {
  Call call{.operation = "CopyObject", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.error_in_200 = true;
  call.headers.push_back({"x-amz-copy-source", uri_encode(source_bucket, false) + "/" + uri_encode(source_key, true)});
  if (!if_match.empty()) call.headers.push_back({"x-amz-copy-source-if-match", "\"" + if_match + "\""});
  if (replace_metadata) {
    call.headers.push_back({"x-amz-metadata-directive", "REPLACE"});
    for (const auto& h : replace_metadata->metadata.headers) call.headers.push_back(h);
  }
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_copy_result(r->body);
}

// ------------------------------------------------------------------ multipart

Result<std::string> S3Client::create_multipart_upload(const std::string& bucket, const std::string& key,
                                                      const PutOptions& options) {
  Call call{.operation = "CreateMultipartUpload", .method = "POST", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"uploads", ""});
  call.headers = options.metadata.headers;
  if (!options.storage_class.empty()) call.headers.push_back({"x-amz-storage-class", options.storage_class});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_initiate_multipart_upload(r->body);
}

Result<std::string> S3Client::upload_part(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id, int part_number, const BodySource& body) {
  Call call{.operation = "UploadPart", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"partNumber", std::to_string(part_number)});
  call.query.push_back({"uploadId", upload_id});
  call.body = &body;
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  auto etag = http::find_header(r->headers, "etag");
  if (!etag) return make_error(ErrorKind::retryable, "MissingETag", "UploadPart answer carried no ETag");
  return strip_quotes(trim(*etag));
}

Result<CopyResult> S3Client::upload_part_copy(const std::string& source_bucket, const std::string& source_key,
                                              const ByteRange& range, const std::string& bucket,
                                              const std::string& key, const std::string& upload_id, int part_number,
                                              const std::string& if_match) {
  Call call{.operation = "UploadPartCopy", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.error_in_200 = true;
  call.query.push_back({"partNumber", std::to_string(part_number)});
  call.query.push_back({"uploadId", upload_id});
  call.headers.push_back({"x-amz-copy-source", uri_encode(source_bucket, false) + "/" + uri_encode(source_key, true)});
  call.headers.push_back(
      {"x-amz-copy-source-range", "bytes=" + std::to_string(range.first) + "-" + std::to_string(range.last)});
  if (!if_match.empty()) call.headers.push_back({"x-amz-copy-source-if-match", "\"" + if_match + "\""});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_copy_result(r->body);
}

Result<CompleteMultipartResult> S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                                    const std::string& upload_id,
                                                                    const std::vector<CompletedPart>& parts) {
  Call call{.operation = "CompleteMultipartUpload", .method = "POST", .bucket = bucket, .key = key, .has_key = true};
  call.error_in_200 = true;
  call.query.push_back({"uploadId", upload_id});
  call.owned_body = build_complete_multipart_upload(parts);
  int attempts_seen = 0;
  call.before_retry = [&](Call&) { ++attempts_seen; };
  auto r = execute(call);
  if (!r) {
    // A retried Complete whose first attempt succeeded finds the upload gone.
    if (r.error().code == kNoSuchUpload && attempts_seen > 0) {
      auto head = head_object(bucket, key);
      const std::string suffix = "-" + std::to_string(parts.size());
      if (head && head->etag.size() > suffix.size() && head->etag.ends_with(suffix))
        return CompleteMultipartResult{head->etag, {}};
    }
    return std::unexpected(r.error());
  }
  return parse_complete_multipart_upload(r->body);
}

Status S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                        const std::string& upload_id) {
  Call call{.operation = "AbortMultipartUpload", .method = "DELETE", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"uploadId", upload_id});
  auto r = execute(call);
  if (!r && r.error().code != kNoSuchUpload) return std::unexpected(r.error());
  return {};
}

Result<MultipartUploadsPage> S3Client::list_multipart_uploads(const std::string& bucket, const std::string& prefix,
                                                              const std::string& key_marker,
                                                              const std::string& upload_id_marker) {
  Call call{.operation = "ListMultipartUploads", .method = "GET", .bucket = bucket};
  call.bucket_level = true;
  call.query.push_back({"uploads", ""});
  if (!prefix.empty()) call.query.push_back({"prefix", prefix});
  if (!key_marker.empty()) call.query.push_back({"key-marker", key_marker});
  if (!upload_id_marker.empty()) call.query.push_back({"upload-id-marker", upload_id_marker});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_list_multipart_uploads(r->body);
}

}  // namespace s5j::s3
