// S3Client's request engine: signing, endpoint choice, the retry loop with
// its self-corrections (clock skew, region), and the events it reports. The
// operations that fill a Call live in s3_client_buckets.cpp (buckets and
// object listing), s3_client_objects.cpp and s3_client_multipart.cpp.
#include "s3/s3_client.h"

#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "base/strings.h"
#include "http/transport_error.h"
#include "s3/s3_client_call.h"
#include "s3/s3_error.h"
#include "s3/uri_encode.h"

namespace s5j::s3 {
namespace {

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

std::string S3Client::request_host(const Endpoint& endpoint, const Call& call) const {
  if (call.bucket.empty()) return endpoint.host_header;
  if (options_.outposts) return options_.outposts->host_prefix() + "." + endpoint.host_header;
  if (options_.virtual_hosted) return call.bucket + "." + endpoint.host_header;
  return endpoint.host_header;
}

std::string S3Client::request_url(const Endpoint& endpoint, const Call& call, std::string& encoded_path) const {
  const std::string host = request_host(endpoint, call);
  if ((options_.virtual_hosted || options_.outposts) && !call.bucket.empty()) {
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
  signing.host = request_host(endpoint, call);
  signing.encoded_path = encoded_path;
  signing.query = call.query;
  signing.headers = request.headers;
  signing.payload_sha256 = payload_hash;
  signing.region = options_.outposts ? options_.outposts->region : region();
  if (options_.outposts) signing.service = std::string(kOutpostsSigningName);
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

Result<http::Response> S3Client::execute_with_checksum(Call& call, const AdditionalChecksum& checksum) {
  const size_t plain_headers = call.headers.size();
  const bool with_checksum = !checksum.empty() && honours_additional_checksums();
  if (with_checksum)
    for (auto& h : upload_checksum_headers(checksum)) call.headers.push_back(std::move(h));
  auto r = execute(call);
  if (!r && with_checksum && refuses_feature(r.error())) {
    note_refused_feature(checksums_refused_, checksum_header_name(checksum.algorithm).data(), call, r.error());
    call.headers.resize(plain_headers);
    r = execute(call);
  }
  return r;
}

bool S3Client::refuses_feature(const Error& error) {
  if (error.http_status == 501) return true;
  return error.http_status == 400 && (error.code == kNotImplemented || error.code == kInvalidArgument ||
                                      error.code == "InvalidRequest");
}

void S3Client::note_refused_feature(std::atomic<bool>& flag, const char* feature, const Call& call,
                                    const Error& error) {
  if (flag.exchange(true)) return;  // another request saw it first
  RequestEvent e;
  e.operation = call.operation;
  e.endpoint = error.endpoint;
  e.bucket = call.bucket;
  e.key = call.key;
  e.http_status = error.http_status;
  e.error_code = error.code;
  e.concurrency_limit = limiter_.limit();
  e.feature_refused = feature;
  notify(e);
}

namespace {

// What one attempt says about its endpoint (EndpointPool). Only a failure
// to reach the endpoint sets it aside at once and fails over; a server
// error, a timeout or a broken connection came from an endpoint that was
// reached, and set it aside only when repeated; a proxy failure is every
// endpoint's (they share the proxy), and a TLS failure is the config's.
EndpointPool::Outcome endpoint_outcome_of(const Result<http::Response>& response) {
  using Outcome = EndpointPool::Outcome;
  // 501 Not Implemented is a server's considered answer about a feature,
  // not a sign of an endpoint in trouble.
  if (response) return response->status >= 500 && response->status != 501 ? Outcome::failed : Outcome::answered;
  switch (http::connection_failure_of(response.error())) {
    case http::ConnectionFailure::endpoint_unreachable:
      return Outcome::unreachable;
    case http::ConnectionFailure::timed_out:
    case http::ConnectionFailure::connection_broken:
      return Outcome::failed;
    case http::ConnectionFailure::proxy_unreachable:
    case http::ConnectionFailure::proxy_rejected:
    case http::ConnectionFailure::tls:
    case http::ConnectionFailure::other:
    case http::ConnectionFailure::none:
      break;
  }
  return Outcome::unknown;
}

}  // namespace

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
    const auto endpoint_outcome = endpoint_outcome_of(response);
    const bool connect_failed = endpoint_outcome == EndpointPool::Outcome::unreachable;
    const auto health = pool_->release(index, endpoint_outcome);
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
    // An endpoint that cannot be reached, or was set aside by this failure,
    // is failed over at once when another endpoint is up.
    if ((connect_failed || health == EndpointPool::HealthChange::marked_down) && pool_->size() > 1) {
      bool other_up = false;
      for (size_t i = 0; i < pool_->size(); ++i) other_up |= (i != index && pool_->is_up(i));
      if (other_up) continue;
    }
    clock_.sleep_for(*delay);
  }
}

}  // namespace s5j::s3
