#include "cli/exit_codes.h"

#include "config/config.h"
#include "http/transport_error.h"
#include "ledger/ledger_error.h"
#include "s3/s3_error.h"
#include "staging/staging_error.h"

namespace s5j::cli {
ExitCode exit_code_for(const Error& e) {
  if (e.code == config::kConfigError || e.code == s3::kInvalidEndpoint) return kConfigError;
  if (s3::is_credentials_rejected(e)) return kCredentialsRejected;
  if (s3::is_access_denied(e)) return kAccessDenied;
  if (e.code == s3::kNoSuchBucket) return kBucketNotFound;
  // README: 7 is "connection refused, name not resolved, timed out". A
  // connection that was made and then broke says the endpoint is reachable,
  // so it is a failure of its own (1), as is an unexplained libcurl error.
  switch (http::connection_failure_of(e)) {
    case http::ConnectionFailure::endpoint_unreachable:
    case http::ConnectionFailure::proxy_unreachable:
    case http::ConnectionFailure::timed_out:
      return kEndpointUnreachable;
    case http::ConnectionFailure::tls:
      return kTlsError;
    case http::ConnectionFailure::connection_broken:
    case http::ConnectionFailure::other:
    case http::ConnectionFailure::none:
      break;
  }
  if (e.code == s3::kNotS3) return kNotS3;
  if (ledger::is_ledger_error(e)) return kLedgerError;  // LedgerBusy and the others too
  if (e.code == staging::kStagingError) return kStagingError;
  if (e.code == ledger::kAlreadyRunning) return kAlreadyRunning;
  return kFailed;
}

}  // namespace s5j::cli
