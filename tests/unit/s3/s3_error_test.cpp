// S3 error codes: the constants spell the wire codes, the predicates hold
// exactly the codes the old inline lists held, and the retry policy prices
// a retry by the transport's one connection-failure classification.
#include "s3/s3_error.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "s3/retry_policy.h"

namespace s5j::s3 {
namespace {

Error with_code(std::string code, int http_status = 0) {
  Error e;
  e.kind = ErrorKind::retryable;
  e.code = std::move(code);
  e.http_status = http_status;
  return e;
}

TEST(S3ErrorCodes, ConstantsSpellTheWireCodes) {
  EXPECT_EQ(std::string(kSlowDown), "SlowDown");
  EXPECT_EQ(std::string(kNoSuchKey), "NoSuchKey");
  EXPECT_EQ(std::string(kNoSuchBucket), "NoSuchBucket");
  EXPECT_EQ(std::string(kNoSuchUpload), "NoSuchUpload");
  EXPECT_EQ(std::string(kAccessDenied), "AccessDenied");
  EXPECT_EQ(std::string(kInvalidAccessKeyId), "InvalidAccessKeyId");
  EXPECT_EQ(std::string(kSignatureDoesNotMatch), "SignatureDoesNotMatch");
  EXPECT_EQ(std::string(kBadDigest), "BadDigest");
  EXPECT_EQ(std::string(kPreconditionFailed), "PreconditionFailed");
  EXPECT_EQ(std::string(kRequestTimeTooSkewed), "RequestTimeTooSkewed");
  EXPECT_EQ(std::string(kNotImplemented), "NotImplemented");
  EXPECT_EQ(std::string(kXAmzContentSha256Mismatch), "XAmzContentSHA256Mismatch");
  EXPECT_EQ(std::string(kEc2ThrottledException), "EC2ThrottledException");
  EXPECT_EQ(std::string(kIdpCommunicationError), "IDPCommunicationError");
  EXPECT_EQ(std::string(kMalformedXml), "MalformedXML");
  EXPECT_EQ(std::string(kNotS3), "NotS3");
  EXPECT_EQ(std::string(kUnsortedListing), "UnsortedListing");
}

TEST(S3ErrorCodes, ThrottlingCodes) {
  for (const char* code : {"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
                           "BandwidthLimitExceeded", "TooManyRequestsException", "RequestThrottled",
                           "ThrottledException", "RequestThrottledException", "ProvisionedThroughputExceededException"})
    EXPECT_TRUE(is_throttling_code(code)) << code;
  for (const char* code : {"", "InternalError", "RequestTimeout", "slowdown", "Timeout"})
    EXPECT_FALSE(is_throttling_code(code)) << code;
}

TEST(S3ErrorCodes, RetryableCodesWhateverTheStatus) {
  for (const char* code :
       {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "SlowDown", "Throttling",
        "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "EC2ThrottledException",
        "InternalError", "ServiceUnavailable", "BadDigest", "IDPCommunicationError", "XAmzContentSHA256Mismatch",
        "OperationAborted"})
    EXPECT_EQ(classify_s3_error(400, code), ErrorKind::retryable) << code;
  EXPECT_EQ(classify_s3_error(400, "InvalidArgument"), ErrorKind::permanent);
  EXPECT_EQ(classify_s3_error(503, "Whatever"), ErrorKind::retryable);
}

// The list check_command and exit_codes each had.
TEST(S3ErrorCodes, CredentialsRejected) {
  for (const char* code : {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"})
    EXPECT_TRUE(is_credentials_rejected(with_code(code, 403))) << code;
  for (const char* code : {"AccessDenied", "NoSuchBucket", "AuthorizationHeaderMalformed"})
    EXPECT_FALSE(is_credentials_rejected(with_code(code, 403))) << code;
}

TEST(S3ErrorCodes, AccessDenied) {
  EXPECT_TRUE(is_access_denied(with_code("AccessDenied", 403)));
  EXPECT_TRUE(is_access_denied(with_code("AllAccessDisabled", 403)));
  EXPECT_FALSE(is_access_denied(with_code("InvalidAccessKeyId", 403)));
}

// The list check_command and transfer's ObjectCopier each had.
TEST(S3ErrorCodes, UnsupportedOperationByCodeOrStatus) {
  EXPECT_TRUE(is_unsupported_operation(with_code("NotImplemented", 501)));
  EXPECT_TRUE(is_unsupported_operation(with_code("MethodNotAllowed", 405)));
  EXPECT_TRUE(is_unsupported_operation(with_code("HTTP501", 501)));
  EXPECT_TRUE(is_unsupported_operation(with_code("Whatever", 405)));
  EXPECT_FALSE(is_unsupported_operation(with_code("NoSuchKey", 404)));
  EXPECT_FALSE(is_unsupported_operation(with_code("InvalidArgument", 400)));
}

TEST(S3ErrorCodes, BodylessAnswersGetCodesFromTheStatus) {
  http::Response r;
  r.status = 404;
  EXPECT_EQ(error_from_response(r, "HeadObject", "b/k", false).code, "NoSuchKey");
  EXPECT_EQ(error_from_response(r, "HeadBucket", "b", true).code, "NoSuchBucket");
  r.status = 412;
  EXPECT_EQ(error_from_response(r, "GetObject", "b/k", false).code, "PreconditionFailed");
  r.status = 405;
  EXPECT_EQ(error_from_response(r, "CopyObject", "b/k", false).code, "MethodNotAllowed");
  r.status = 418;
  EXPECT_EQ(error_from_response(r, "GetObject", "b/k", false).code, "HTTP418");
}

// Budget 10: a connection failure costs 10 (nothing left), anything else 5.
RetryOptions tight_budget() {
  RetryOptions o;
  o.budget_tokens = 10;
  o.retry_cost = 5;
  o.timeout_retry_cost = 10;
  return o;
}

TEST(RetryPolicyCost, EveryConnectionFailureCostsTheHigherPrice) {
  for (const char* code : {"ConnectFailed", "ResolveFailed", "ProxyFailed", "Timeout", "ConnectionReset", "SendFailed",
                           "RecvFailed", "TlsError", "TransportError"}) {
    RetryPolicy policy(tight_budget(), 1);
    ASSERT_TRUE(policy.next_delay(with_code(code), 1).has_value()) << code;
    EXPECT_EQ(policy.budget_remaining(), 0) << code;
  }
}

TEST(RetryPolicyCost, AnswersCostTheLowerPrice) {
  for (auto [code, status] : std::initializer_list<std::pair<const char*, int>>{
           {"SlowDown", 503}, {"InternalError", 500}, {"RequestTimeout", 400}}) {
    RetryPolicy policy(tight_budget(), 1);
    ASSERT_TRUE(policy.next_delay(with_code(code, status), 1).has_value()) << code;
    EXPECT_EQ(policy.budget_remaining(), 5) << code;
  }
  // A server naming a transport code in its answer is still an answer.
  RetryPolicy policy(tight_budget(), 1);
  ASSERT_TRUE(policy.next_delay(with_code("Timeout", 500), 1).has_value());
  EXPECT_EQ(policy.budget_remaining(), 5);
}

}  // namespace
}  // namespace s5j::s3
