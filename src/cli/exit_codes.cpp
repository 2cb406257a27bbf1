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
    case http::ConnectionFailure::proxy_rejected:
      return kCredentialsRejected;
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

std::span<const ExitCodeDoc> exit_code_docs() {
  static constexpr ExitCodeDoc kDocs[] = {
      {kOk, "success"},
      {kFailed, "failure not covered below (the message says what)"},
      {kUsage,
       "bad command line; `transfer` not confirmed (answered no, or no "
       "terminal and no `--yes`)"},
      {kConfigError,
       "config problem: file missing, unreadable, malformed, unknown key, "
       "wrong type, invalid endpoint URL, missing credentials"},
      {kCredentialsRejected,
       "credentials rejected: unknown access key or wrong secret, or the proxy refused the user and "
       "password in `proxy` (or wants some)"},
      {kAccessDenied, "access denied: valid credentials lacking a permission"},
      {kBucketNotFound, "bucket not found"},
      {kEndpointUnreachable,
       "endpoint unreachable: connection refused, name "
       "not resolved, timed out (on every endpoint)"},
      {kTlsError,
       "TLS failure: certificate not trusted (set `ca_bundle`) or "
       "handshake failed"},
      {kNotS3, "the endpoint answered, but is not an S3 server"},
      {kLedgerError, "ledger problem"},
      {kStagingError, "staging volume problem; `s5j volumes` refused a device (or could not format or mount it)"},
      {kIncomplete,
       "ran, but not everything is done: some objects failed (sync, relay, "
       "stage, drain), or `verify` found something needing attention, or "
       "`transfer` could not prove the destination complete (or was stopped)"},
      {kAlreadyRunning, "another run of the same job is active (on a PostgreSQL ledger runs of one job work together: then only reset, refused while one lives)"},
      {kInterrupted, "interrupted"},
  };
  return kDocs;
}

}  // namespace s5j::cli
