// The S3 error codes s5j acts on, and s5j's own codes about S3 answers.
//
// Error::code stays the string the server sent (it is written to events and
// the ledger). Code outside the parsers compares it with these constants or
// asks a predicate of s3_error.h, never with a string literal, so a typo
// does not compile. The transport's own codes (ConnectFailed, ...) are in
// http/transport_error.h.
//
// Every layer names its codes as char arrays: they become a std::string
// where an Error is built, compare with std::string and std::string_view,
// and comparing two of them by mistake draws -Warray-compare.
#pragma once

namespace s5j::s3 {

// ---- Codes S3 servers answer (the <Code> of an error document, or derived
// from the status of a body-less answer by error_from_response) ----

// Throttling: back off from the longer base and lower the concurrency.
inline constexpr char kSlowDown[] = "SlowDown";
inline constexpr char kThrottling[] = "Throttling";
inline constexpr char kThrottlingException[] = "ThrottlingException";
inline constexpr char kThrottledException[] = "ThrottledException";
inline constexpr char kRequestThrottled[] = "RequestThrottled";
inline constexpr char kRequestThrottledException[] = "RequestThrottledException";
inline constexpr char kTooManyRequestsException[] = "TooManyRequestsException";
inline constexpr char kProvisionedThroughputExceededException[] = "ProvisionedThroughputExceededException";
inline constexpr char kRequestLimitExceeded[] = "RequestLimitExceeded";
inline constexpr char kBandwidthLimitExceeded[] = "BandwidthLimitExceeded";

// Transient (botocore's standard retry codes).
inline constexpr char kRequestTimeout[] = "RequestTimeout";
inline constexpr char kRequestTimeoutException[] = "RequestTimeoutException";
inline constexpr char kPriorRequestNotComplete[] = "PriorRequestNotComplete";
inline constexpr char kTransactionInProgressException[] = "TransactionInProgressException";
inline constexpr char kLimitExceededException[] = "LimitExceededException";
inline constexpr char kEc2ThrottledException[] = "EC2ThrottledException";
inline constexpr char kInternalError[] = "InternalError";
inline constexpr char kServiceUnavailable[] = "ServiceUnavailable";
inline constexpr char kIdpCommunicationError[] = "IDPCommunicationError";
inline constexpr char kOperationAborted[] = "OperationAborted";
// The body arrived other than sent: Content-MD5 or the signed SHA-256 differ.
inline constexpr char kBadDigest[] = "BadDigest";
inline constexpr char kXAmzContentSha256Mismatch[] = "XAmzContentSHA256Mismatch";

// Credentials the server does not accept.
inline constexpr char kInvalidAccessKeyId[] = "InvalidAccessKeyId";
inline constexpr char kSignatureDoesNotMatch[] = "SignatureDoesNotMatch";
inline constexpr char kInvalidToken[] = "InvalidToken";
inline constexpr char kExpiredToken[] = "ExpiredToken";
// Accepted credentials without permission.
inline constexpr char kAccessDenied[] = "AccessDenied";
inline constexpr char kAllAccessDisabled[] = "AllAccessDisabled";

// Not there.
inline constexpr char kNoSuchBucket[] = "NoSuchBucket";
inline constexpr char kNoSuchKey[] = "NoSuchKey";
inline constexpr char kNoSuchUpload[] = "NoSuchUpload";
// Complete named a part the upload does not hold (with that ETag).
inline constexpr char kInvalidPart[] = "InvalidPart";

// Region, clock and addressing (the client corrects some by itself).
inline constexpr char kRequestTimeTooSkewed[] = "RequestTimeTooSkewed";
inline constexpr char kAuthorizationHeaderMalformed[] = "AuthorizationHeaderMalformed";
inline constexpr char kPermanentRedirect[] = "PermanentRedirect";
inline constexpr char kInvalidBucketName[] = "InvalidBucketName";

// Conditions, ranges and what the server does not implement.
inline constexpr char kPreconditionFailed[] = "PreconditionFailed";
inline constexpr char kNotModified[] = "NotModified";
inline constexpr char kInvalidRange[] = "InvalidRange";
inline constexpr char kBadRequest[] = "BadRequest";
inline constexpr char kInvalidArgument[] = "InvalidArgument";
inline constexpr char kNotImplemented[] = "NotImplemented";
inline constexpr char kMethodNotAllowed[] = "MethodNotAllowed";

// ---- s5j's own codes about S3 answers and endpoints ----

// An answer that is not a well-formed S3 document (s3_xml.h parsers).
inline constexpr char kMalformedXml[] = "MalformedXML";
// The endpoint answered, but not as an S3 server (an HTML page, ...).
inline constexpr char kNotS3[] = "NotS3";
// An endpoint URL that cannot be used (config problem, exit code 3).
inline constexpr char kInvalidEndpoint[] = "InvalidEndpoint";
// A listing whose keys go backwards or that does not advance.
inline constexpr char kUnsortedListing[] = "UnsortedListing";
inline constexpr char kListingStuck[] = "ListingStuck";

}  // namespace s5j::s3
