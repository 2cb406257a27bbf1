// Transport: one HTTP exchange, behind an interface so the S3 client can be
// tested against an in-memory fake (with fault hooks) as well as a real
// server through libcurl.
//
// The URL is sent exactly as given: the caller has already percent-encoded
// the path and query, and a transport must not normalise it (no collapsing of
// "//", "/./" or "/../"), because the signature covers those exact bytes.
//
// Thread safety: perform() may be called from many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace s5j::http {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// Case-insensitive lookup; nullopt when absent.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

// Pulls request body bytes: fills up to `capacity` bytes at `buffer` and
// returns how many (0 only at the end), or an Error to abort the request.
using BodyReader = std::function<Result<size_t>(char* buffer, size_t capacity)>;

// Receives response body bytes of a successful (2xx) answer as they arrive.
// Returning an Error aborts the transfer; perform() then returns that Error.
using BodySink = std::function<Status(std::string_view chunk)>;

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string url;     // scheme://host[:port]/encoded-path[?encoded-query]
  Headers headers;     // sent as given (Host is derived from the URL)
  // Body: in memory (`body`, or `borrowed_body` when set: bytes the caller
  // keeps alive until perform() returns, so large parts are not copied), or
  // `body_reader` + `body_size`.
  std::string body;
  std::string_view borrowed_body;
  std::string_view body_bytes() const { return borrowed_body.data() != nullptr ? borrowed_body : std::string_view(body); }
  BodyReader body_reader;
  uint64_t body_size = 0;
  // Where a 2xx response body goes; when empty it is collected in
  // Response::body. Non-2xx bodies are always collected (for error XML).
  BodySink sink;
  // Called once when the status line and headers of the answer are complete,
  // before any body byte reaches `sink` (e.g. to learn the ETag of a GET so a
  // broken download can resume pinned to it). Returning an Error aborts.
  std::function<Status(int status, const Headers& headers)> on_headers;
  // Response body bytes the caller expects (0: unknown). A transport may
  // size its receive buffer by it: a buffer fit for a 5 GiB part, taken
  // and freed for every 16 KiB GET, is a cost of its own.
  uint64_t expected_response_bytes = 0;
};

struct Response {
  int status = 0;
  Headers headers;   // names as received; use find_header()
  std::string body;  // collected body (see Request::sink)
  uint64_t body_bytes = 0;  // body bytes received, whether collected or sunk
};

// Failures before a complete HTTP answer arrived come back as Error with
// one of the codes of transport_error.h (ConnectFailed, ResolveFailed,
// Timeout, ConnectionReset, TlsError, TlsCertificate, SendFailed, RecvFailed,
// ProxyFailed, BodyAborted when a sink or reader refused, TransportError), or
// the sink's or reader's own Error. All but TlsCertificate and BodyAborted
// are retryable. A complete answer with any HTTP status is a Response, not
// an Error.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<Response> perform(const Request& request) = 0;
};

}  // namespace s5j::http
