#include "s3/s3_error.h"

#include <array>

#include "s3/s3_xml.h"

namespace s5j::s3 {
namespace {
constexpr auto kRetryableCodes = std::to_array<std::string_view>({
    kRequestTimeout,       kRequestTimeoutException,   kPriorRequestNotComplete,
    kSlowDown,             kThrottling,                kThrottlingException,
    kThrottledException,   kRequestThrottledException, kTooManyRequestsException,
    kProvisionedThroughputExceededException,           kTransactionInProgressException,
    kRequestLimitExceeded, kBandwidthLimitExceeded,    kLimitExceededException,
    kRequestThrottled,     kEc2ThrottledException,     kInternalError,
    kServiceUnavailable,   kBadDigest,                 kIdpCommunicationError,
    // The body arrived other than it was signed: corrupted in transit.
    kXAmzContentSha256Mismatch,
    kOperationAborted,
});
constexpr auto kThrottlingCodes = std::to_array<std::string_view>({
    kSlowDown,          kThrottling,          kThrottlingException,       kRequestLimitExceeded,
    kBandwidthLimitExceeded, kTooManyRequestsException, kRequestThrottled, kThrottledException,
    kRequestThrottledException, kProvisionedThroughputExceededException,
});

template <size_t N>
bool one_of(std::string_view code, const std::array<std::string_view, N>& codes) {
  for (auto c : codes)
    if (c == code) return true;
  return false;
}
}  // namespace

bool is_throttling_code(std::string_view code) { return one_of(code, kThrottlingCodes); }

bool is_credentials_rejected(const Error& error) {
  const std::string_view c = error.code;
  return c == kInvalidAccessKeyId || c == kSignatureDoesNotMatch || c == kInvalidToken || c == kExpiredToken;
}

bool is_access_denied(const Error& error) { return error.code == kAccessDenied || error.code == kAllAccessDisabled; }

bool is_side_refusal(const Error& error) {
  return is_credentials_rejected(error) || is_access_denied(error) || error.code == kNoSuchBucket;
}

bool is_unsupported_operation(const Error& error) {
  return error.code == kNotImplemented || error.code == kMethodNotAllowed || error.http_status == 501 ||
         error.http_status == 405;
}

ErrorKind classify_s3_error(int http_status, std::string_view code) {
  if (one_of(code, kRetryableCodes)) return ErrorKind::retryable;
  switch (http_status) {
    case 429: case 500: case 502: case 503: case 504: case 509:
      return ErrorKind::retryable;
    default:
      return ErrorKind::permanent;
  }
}

std::string_view hint_for_code(std::string_view code) {
  if (code == kInvalidAccessKeyId) return "the server does not know this access key: check access_key";
  if (code == kSignatureDoesNotMatch) return "the signature was refused: check secret_access_key (and region)";
  if (code == kAccessDenied) return "the credentials lack permission for this request: check the user's policy";
  if (code == kNoSuchBucket) return "the bucket does not exist on this endpoint: check bucket and endpoint_urls";
  if (code == kNoSuchKey) return "the object does not exist (deleted after listing?)";
  if (code == kRequestTimeTooSkewed) return "this machine's clock differs from the server's by more than 15 minutes";
  if (code == kAuthorizationHeaderMalformed) return "wrong region for this endpoint: check region";
  if (code == kPermanentRedirect) return "the bucket is in another region or needs another endpoint: check region";
  if (code == kInvalidBucketName) return "the bucket name is not valid: check bucket";
  if (code == kSlowDown) return "the server asks to slow down";
  if (code == kPreconditionFailed) return "the object changed since it was listed";
  return {};
}

Error error_from_response(const http::Response& response, std::string_view operation, std::string_view subject,
                          bool bucket_level) {
  Error e;
  e.http_status = response.status;
  if (auto rid = http::find_header(response.headers, "x-amz-request-id")) e.request_id = std::string(*rid);
  std::string server_message;
  if (auto body = parse_error_body(response.body)) {
    e.code = body->code;
    server_message = body->message;
    if (e.request_id.empty()) e.request_id = body->request_id;
    if (!body->region.empty()) server_message += server_message.empty() ? "" : " ";
    if (!body->region.empty()) server_message += "(region " + body->region + ")";
  }
  if (e.code.empty() && !response.body.empty() && response.status >= 300) {
    // S3 servers answer errors with an XML <Error> document; anything else
    // (an HTML page, a JSON error) comes from something that is not S3.
    e.code = kNotS3;
    server_message = "the answer is not an S3 error document; is the endpoint URL an S3 service?";
  }
  if (e.code.empty()) {
    switch (response.status) {
      case 301: e.code = kPermanentRedirect; break;
      case 304: e.code = kNotModified; break;
      case 400: e.code = kBadRequest; break;
      case 403: e.code = kAccessDenied; break;
      case 404: e.code = bucket_level ? kNoSuchBucket : kNoSuchKey; break;
      case 405: e.code = kMethodNotAllowed; break;
      case 412: e.code = kPreconditionFailed; break;
      case 416: e.code = kInvalidRange; break;
      case 501: e.code = kNotImplemented; break;
      case 503: e.code = kServiceUnavailable; break;
      default: e.code = "HTTP" + std::to_string(response.status); break;
    }
  }
  e.kind = classify_s3_error(response.status, e.code);
  e.message = std::string(operation);
  if (!subject.empty()) e.message += " " + std::string(subject);
  e.message += " failed";
  if (!server_message.empty()) e.message += ": " + server_message;
  if (auto hint = hint_for_code(e.code); !hint.empty()) e.message += " (" + std::string(hint) + ")";
  return e;
}

}  // namespace s5j::s3
