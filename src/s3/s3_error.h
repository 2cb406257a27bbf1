// Classification of S3 answers and transport failures into retryable or
// permanent errors, and the one-line hints a person can act on.
// Pure functions.
#pragma once

#include <string_view>

#include "base/error.h"
#include "http/transport.h"
#include "s3/s3_error_codes.h"

namespace s5j::s3 {

// Kind for an S3 error code and HTTP status (botocore's standard retry rules:
// 500/502/503/504/429/509, SlowDown, Throttling, RequestTimeout, InternalError,
// BadDigest, ... are retryable; other 4xx permanent).
ErrorKind classify_s3_error(int http_status, std::string_view code);

// True for codes that mean "slow down" (backoff from a longer base).
bool is_throttling_code(std::string_view code);

// The server does not accept the credentials: unknown access key, wrong
// secret, a bad or expired session token (exit code 4).
bool is_credentials_rejected(const Error& error);
// The credentials were accepted but lack permission (exit code 5).
bool is_access_denied(const Error& error);
// The side refuses this client as a whole, not one object: credentials
// rejected, access denied, or the bucket gone (NoSuchBucket). An access
// denial can also be one key's (a bucket policy): callers that hold work
// for a refused side check with a probe (transfer/side_gate.h).
bool is_side_refusal(const Error& error);
// The server does not implement the operation: NotImplemented or
// MethodNotAllowed, or a body-less 501 or 405.
bool is_unsupported_operation(const Error& error);

// Builds the Error for a non-2xx answer (or a 200 carrying <Error>): code
// from the XML body when present, else derived from the status (HEAD
// answers have no body: 404 → NoSuchKey or NoSuchBucket, 403 →
// AccessDenied, 301 → PermanentRedirect), message with an actionable hint.
// `operation` names the S3 call ("GetObject"); `subject` the bucket/key.
Error error_from_response(const http::Response& response, std::string_view operation,
                          std::string_view subject, bool bucket_level);

// A short hint for well-known codes ("check secret_access_key"), or empty.
std::string_view hint_for_code(std::string_view code);

}  // namespace s5j::s3
