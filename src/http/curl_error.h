// A failed libcurl transfer as an Error: the Transport contract's code and
// kind (http/transport_error.h) and a one-line message naming the server
// (scheme, host and port only: never the path, query or user info) and
// what to check. Internal to CurlTransport (curl_transport.cpp).
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "base/error.h"
#include "http/curl_exchange.h"
#include "http/network_options.h"

namespace s5j::http::curl {

// scheme, host and port of a URL, for messages and Error::endpoint. Never
// the path, query or user info: a presigned query or "user:pass@" must not
// reach a log.
struct UrlEndpoint {
  std::string scheme;
  std::string host;
  std::string port;
  std::string host_port() const { return port.empty() ? host : host + ":" + port; }
  std::string base() const { return scheme.empty() ? host_port() : scheme + "://" + host_port(); }
};

// The endpoint of any URL libcurl accepts (paths allowed); host
// "(unparseable URL)" when it cannot be parsed.
UrlEndpoint url_endpoint(const std::string& url);

// An Error with Error::endpoint set to ep's base URL.
Error transfer_error(ErrorKind kind, std::string_view code, std::string message, const UrlEndpoint& ep);

// The Error for curl_easy_perform's `code` on handle `h` (its errno and
// timings are asked from the handle): `errbuf` is the request's
// CURLOPT_ERRORBUFFER, `ep` the request's endpoint, `proxy` the configured
// proxy's (for messages), `ex` the exchange (a callback's own Error is
// returned as is).
Error error_from_curl(CURL* h, CURLcode code, const char* errbuf, const UrlEndpoint& ep, const Exchange& ex,
                      const NetworkOptions& options, const UrlEndpoint& proxy);

}  // namespace s5j::http::curl
