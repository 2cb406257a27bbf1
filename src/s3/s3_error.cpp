#include "s3/s3_error.h"

#include <array>

#include "s3/s3_xml.h"

namespace s5j::s3 {
namespace {
constexpr std::array kRetryableCodes = {
    std::string_view("RequestTimeout"),        std::string_view("RequestTimeoutException"),
    std::string_view("PriorRequestNotComplete"), std::string_view("SlowDown"),
    std::string_view("Throttling"),            std::string_view("ThrottlingException"),
    std::string_view("ThrottledException"),    std::string_view("RequestThrottledException"),
    std::string_view("TooManyRequestsException"), std::string_view("ProvisionedThroughputExceededException"),
    std::string_view("TransactionInProgressException"), std::string_view("RequestLimitExceeded"),
    std::string_view("BandwidthLimitExceeded"), std::string_view("LimitExceededException"),
    std::string_view("RequestThrottled"),      std::string_view("EC2ThrottledException"),
    std::string_view("InternalError"),         std::string_view("ServiceUnavailable"),
    std::string_view("BadDigest"),             std::string_view("IDPCommunicationError"),
    // The body arrived other than it was signed: corrupted in transit.
    std::string_view("XAmzContentSHA256Mismatch"),
    std::string_view("OperationAborted"),
};
}  // namespace

bool is_throttling_code(std::string_view code) {
  return code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "BandwidthLimitExceeded" || code == "TooManyRequestsException" ||
         code == "RequestThrottled" || code == "ThrottledException" || code == "RequestThrottledException" ||
         code == "ProvisionedThroughputExceededException";
}

ErrorKind classify_s3_error(int http_status, std::string_view code) {
  for (auto c : kRetryableCodes)
    if (c == code) return ErrorKind::retryable;
  switch (http_status) {
    case 429: case 500: case 502: case 503: case 504: case 509:
      return ErrorKind::retryable;
    default:
      return ErrorKind::permanent;
  }
}

std::string_view hint_for_code(std::string_view code) {
  if (code == "InvalidAccessKeyId") return "the server does not know this access key: check access_key";
  if (code == "SignatureDoesNotMatch") return "the signature was refused: check secret_access_key (and region)";
  if (code == "AccessDenied") return "the credentials lack permission for this request: check the user's policy";
  if (code == "NoSuchBucket") return "the bucket does not exist on this endpoint: check bucket and endpoint_urls";
  if (code == "NoSuchKey") return "the object does not exist (deleted after listing?)";
  if (code == "RequestTimeTooSkewed") return "this machine's clock differs from the server's by more than 15 minutes";
  if (code == "AuthorizationHeaderMalformed") return "wrong region for this endpoint: check region";
  if (code == "PermanentRedirect") return "the bucket is in another region or needs another endpoint: check region";
  if (code == "InvalidBucketName") return "the bucket name is not valid: check bucket";
  if (code == "SlowDown") return "the server asks to slow down";
  if (code == "PreconditionFailed") return "the object changed since it was listed";
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
    e.code = "NotS3";
    server_message = "the answer is not an S3 error document; is the endpoint URL an S3 service?";
  }
  if (e.code.empty()) {
    switch (response.status) {
      case 301: e.code = "PermanentRedirect"; break;
      case 304: e.code = "NotModified"; break;
      case 400: e.code = "BadRequest"; break;
      case 403: e.code = "AccessDenied"; break;
      case 404: e.code = bucket_level ? "NoSuchBucket" : "NoSuchKey"; break;
      case 405: e.code = "MethodNotAllowed"; break;
      case 412: e.code = "PreconditionFailed"; break;
      case 416: e.code = "InvalidRange"; break;
      case 501: e.code = "NotImplemented"; break;
      case 503: e.code = "ServiceUnavailable"; break;
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
