#include "http/transport_error.h"

namespace s5j::http {

ConnectionFailure connection_failure_of(const Error& error) {
  using enum ConnectionFailure;
  // A server may name any code in an error document; only a failure without
  // an answer is the transport's.
  if (error.http_status != 0) return none;
  const std::string_view code = error.code;
  if (code == kConnectFailed || code == kResolveFailed) return endpoint_unreachable;
  if (code == kProxyFailed) return proxy_unreachable;
  if (code == kProxyRejected) return proxy_rejected;
  if (code == kTimeout) return timed_out;
  if (code == kConnectionReset || code == kSendFailed || code == kRecvFailed) return connection_broken;
  if (code == kTlsError || code == kTlsCertificate) return tls;
  if (code == kTransportError) return other;
  return none;  // BodyAborted and every other layer's code
}

bool is_connection_failure(const Error& error) { return connection_failure_of(error) != ConnectionFailure::none; }

std::string_view to_string(ConnectionFailure failure) {
  switch (failure) {
    case ConnectionFailure::none: return "none";
    case ConnectionFailure::endpoint_unreachable: return "endpoint_unreachable";
    case ConnectionFailure::proxy_unreachable: return "proxy_unreachable";
    case ConnectionFailure::proxy_rejected: return "proxy_rejected";
    case ConnectionFailure::timed_out: return "timed_out";
    case ConnectionFailure::connection_broken: return "connection_broken";
    case ConnectionFailure::tls: return "tls";
    case ConnectionFailure::other: return "other";
  }
  return "unknown";
}

}  // namespace s5j::http
