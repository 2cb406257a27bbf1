#include "cli/exit_codes.h"

namespace s5j::cli {

ExitCode exit_code_for(const Error& e) {
  const auto& c = e.code;
  if (c == "ConfigError") return kConfigError;
  if (c == "InvalidAccessKeyId" || c == "SignatureDoesNotMatch" || c == "InvalidToken" || c == "ExpiredToken")
    return kCredentialsRejected;
  if (c == "AccessDenied" || c == "AllAccessDisabled") return kAccessDenied;
  if (c == "NoSuchBucket") return kBucketNotFound;
  if (c == "ConnectFailed" || c == "ResolveFailed" || c == "Timeout" || c == "ProxyFailed" || c == "InvalidEndpoint")
    return c == "InvalidEndpoint" ? kConfigError : kEndpointUnreachable;
  if (c == "TlsCertificate" || c == "TlsError") return kTlsError;
  if (c == "NotS3") return kNotS3;
  if (c == "LedgerError") return kLedgerError;
  if (c == "StagingError") return kStagingError;
  if (c == "AlreadyRunning") return kAlreadyRunning;
  return kFailed;
}

}  // namespace s5j::cli
