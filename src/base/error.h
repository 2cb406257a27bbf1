// Error and Result: the one error currency of s5j.
//
// Every fallible function returns Result<T> (std::expected<T, Error>).
// An Error says whether trying again can help (kind), what went wrong in
// machine terms (code: an S3 error code such as "SlowDown", or one of ours
// such as "ConnectFailed"), and what a person needs to act (message).
// Only src/cli turns errors into exit codes. Exceptions are for bugs only.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace s5j {

enum class ErrorKind {
  retryable,  // transient: the same request may succeed later
  permanent,  // this request will keep failing (e.g. AccessDenied, NoSuchKey)
  fatal,      // the job cannot go on (bad config, unusable ledger)
};

struct Error {
  ErrorKind kind = ErrorKind::permanent;
  std::string code;        // stable machine name: S3 code or an s5j code
  std::string message;     // one line for a person; never contains secrets
  int http_status = 0;     // 0 when no HTTP answer was received
  std::string request_id;  // x-amz-request-id when the server gave one
  std::string endpoint;    // endpoint URL the failing request went to

  bool retryable() const { return kind == ErrorKind::retryable; }
  // "code: message" plus status/endpoint when known; for logs and the CLI.
  std::string describe() const;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> make_error(ErrorKind kind, std::string_view code, std::string message) {
  Error e;
  e.kind = kind;
  e.code = std::string(code);
  e.message = std::move(message);
  return std::unexpected<Error>(std::move(e));
}

}  // namespace s5j
