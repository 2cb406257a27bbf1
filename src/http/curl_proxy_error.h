// What a proxy said when it refused a request, as an Error (internal to
// CurlTransport): an HTTP proxy's answer to CONNECT (or, for a plain http
// endpoint, its 407 in place of the server's answer), a SOCKS proxy's reply
// code. Messages name the proxy and the endpoint by host and port only,
// never the proxy's user or password.
//
//   proxy refused the credentials    ProxyRejected (permanent): 407; SOCKS5
//                                    user rejected or no acceptable method
//   proxy cannot reach the endpoint  ConnectFailed (the endpoint's, so it
//                                    fails over): CONNECT 502/503/504; SOCKS
//                                    refused, host or network unreachable
//   proxy refused the tunnel         ProxyFailed: any other CONNECT answer
//                                    (403, ...), any other SOCKS failure
#pragma once

#include <curl/curl.h>

#include <optional>

#include "base/error.h"
#include "http/curl_error.h"
#include "http/network_options.h"

namespace s5j::http::curl {

// The proxy's refusal behind a failed transfer (`code` of handle `h`), or
// nothing when the failure was not a proxy's answer. `detail` is libcurl's
// error line.
std::optional<Error> proxy_refusal(CURL* h, CURLcode code, const std::string& detail, const UrlEndpoint& ep,
                                   const NetworkOptions& options, const UrlEndpoint& proxy);

// The Error for a 407 answered in place of the server (an http endpoint
// through an HTTP proxy: no tunnel, the proxy answers the request itself).
Error proxy_auth_refused(int status, const UrlEndpoint& ep, const NetworkOptions& options, const UrlEndpoint& proxy);

// True when the configured proxy is an HTTP(S) proxy (not SOCKS).
bool is_http_proxy(const NetworkOptions& options);

}  // namespace s5j::http::curl
