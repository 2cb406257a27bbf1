// The transport's error codes, and the one classification of connection
// failures that retry cost, endpoint failover, `s5j check` and the exit
// codes all use.
//
// Error::code stays a string (it is written to events and the ledger), but
// no code outside this header spells one of these names: callers compare
// with the constants (a typo does not compile) or ask
// connection_failure_of(). A failure that arrived with an HTTP answer
// (http_status != 0) is never a connection failure, whatever its code says.
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "base/error.h"

namespace s5j::http {

// Error::code values of a Transport failure (no complete HTTP answer).
inline constexpr char kConnectFailed[] = "ConnectFailed";      // refused, no route, bind_interface
inline constexpr char kResolveFailed[] = "ResolveFailed";      // endpoint host name not resolved
inline constexpr char kProxyFailed[] = "ProxyFailed";          // proxy not resolved, not reachable, or refused the tunnel
inline constexpr char kProxyRejected[] = "ProxyRejected";      // proxy refused our credentials (407, SOCKS5 auth)
inline constexpr char kTimeout[] = "Timeout";                  // connect timed out, or transfer stalled
inline constexpr char kConnectionReset[] = "ConnectionReset";  // reset or closed without an answer
inline constexpr char kSendFailed[] = "SendFailed";
inline constexpr char kRecvFailed[] = "RecvFailed";            // also: cut-short body, answer not HTTP/1.1
inline constexpr char kTlsError[] = "TlsError";                // handshake failed (retryable)
inline constexpr char kTlsCertificate[] = "TlsCertificate";    // certificate or CA bundle refused (permanent)
inline constexpr char kTransportError[] = "TransportError";    // any other libcurl failure
inline constexpr char kBodyAborted[] = "BodyAborted";          // our own sink or reader refused

// What kind of connection failure an Error is. Each user decides by class:
//   retry      every class but none costs a connection-level retry
//   failover   endpoint_unreachable marks the endpoint down and fails over
//   check      every class but none means "this endpoint did not answer"
//   exit code  endpoint_unreachable, proxy_unreachable, timed_out → 7;
//              proxy_rejected → 4; tls → 8; connection_broken, other → 1
enum class ConnectionFailure {
  none,                  // not one: an HTTP answer came, the error is not the
                         // transport's, or our own body callback aborted it
  endpoint_unreachable,  // no connection to this endpoint: ConnectFailed, ResolveFailed
  proxy_unreachable,     // the proxy (shared by every endpoint): ProxyFailed
  proxy_rejected,        // the proxy refused the credentials of `proxy`
                         // (or wants some): ProxyRejected; permanent
  timed_out,             // Timeout: connecting timed out, or the transfer stalled
  connection_broken,     // connected, then the exchange broke: ConnectionReset,
                         // SendFailed, RecvFailed
  tls,                   // TlsError, TlsCertificate
  other,                 // TransportError: a libcurl failure of no other kind
};

ConnectionFailure connection_failure_of(const Error& error);

// True for every class but none.
bool is_connection_failure(const Error& error);

// The name of a class, for tests and diagnostics ("endpoint_unreachable").
std::string_view to_string(ConnectionFailure failure);

}  // namespace s5j::http
