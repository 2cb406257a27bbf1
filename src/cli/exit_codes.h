// Process exit codes: the only place errors become numbers. Documented in
// README.md ("Exit codes"); scripts depend on them, so never renumber.
#pragma once

#include <span>
#include <string_view>

#include "base/error.h"

namespace s5j::cli {

enum ExitCode : int {
  kOk = 0,
  kFailed = 1,             // something else went wrong (message says what)
  kUsage = 2,              // bad command line
  kConfigError = 3,        // config file missing, malformed, unknown key, bad value
  kCredentialsRejected = 4,  // unknown access key or wrong secret
  kAccessDenied = 5,       // credentials valid but lacking permission
  kBucketNotFound = 6,     // bucket does not exist on the endpoint
  kEndpointUnreachable = 7,  // cannot connect / resolve / timed out on every endpoint
  kTlsError = 8,           // certificate not trusted or handshake failed
  kNotS3 = 9,              // the endpoint answered, but not as an S3 server
  kLedgerError = 10,       // ledger unreadable, not a ledger, or locked
  kStagingError = 11,      // staging volume missing, read-only or full
  kIncomplete = 12,        // ran, but some objects failed (see the log)
  kAlreadyRunning = 13,    // another run of this job holds the lock
  kInterrupted = 130,      // stopped by a second SIGINT/SIGTERM
};

ExitCode exit_code_for(const Error& error);

// What each code means, in the words of README.md's table (a unit test
// holds the two equal); the man page's EXIT STATUS is generated from it.
struct ExitCodeDoc {
  int code;
  std::string_view meaning;  // Markdown: `code` spans allowed
};
std::span<const ExitCodeDoc> exit_code_docs();

}  // namespace s5j::cli
