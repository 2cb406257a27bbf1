#include "http/curl_proxy_error.h"

#include <string>

#include "base/strings.h"
#include "http/endpoint_url.h"
#include "http/transport_error.h"

namespace s5j::http::curl {
namespace {

bool has_credentials(const NetworkOptions& options) { return !url_password(options.proxy).empty(); }

std::string credentials_hint(const NetworkOptions& options) {
  return has_credentials(options) ? "are the user and password in `proxy` right?"
                                  : "the proxy wants a user and password: give them in `proxy` "
                                    "(scheme://USER:PASSWORD@host:port)";
}

Error refused_credentials(const std::string& what, const UrlEndpoint& ep, const NetworkOptions& options,
                          const UrlEndpoint& proxy) {
  return transfer_error(ErrorKind::permanent, kProxyRejected,
                        "proxy " + proxy.host_port() + " refused " +
                            (has_credentials(options) ? "the credentials in `proxy`" : "to serve without credentials") +
                            " (" + what + ") for " + ep.host_port() + ": " + credentials_hint(options),
                        ep);
}

Error cannot_reach(const std::string& what, const UrlEndpoint& ep, const UrlEndpoint& proxy) {
  return transfer_error(ErrorKind::retryable, kConnectFailed,
                        "proxy " + proxy.host_port() + " cannot reach " + ep.host_port() + " (" + what +
                            "): is the endpoint URL right and the server up?",
                        ep);
}

Error refused_tunnel(const std::string& what, const UrlEndpoint& ep, const UrlEndpoint& proxy) {
  return transfer_error(ErrorKind::retryable, kProxyFailed,
                        "proxy " + proxy.host_port() + " refused the connection to " + ep.host_port() + " (" + what +
                            "): does the proxy allow connections to this host and port?",
                        ep);
}

std::optional<Error> connect_refusal(long status, const UrlEndpoint& ep, const NetworkOptions& options,
                                     const UrlEndpoint& proxy) {
  const std::string what = "CONNECT answered " + std::to_string(status);
  if (status == 407) return refused_credentials("407 Proxy Authentication Required", ep, options, proxy);
  if (status == 502 || status == 503 || status == 504) return cannot_reach(what, ep, proxy);
  return refused_tunnel(what, ep, proxy);
}

std::optional<Error> socks_refusal(long reply, const std::string& detail, const UrlEndpoint& ep,
                                   const NetworkOptions& options, const UrlEndpoint& proxy) {
  switch (reply) {
    case CURLPX_USER_REJECTED:
      return refused_credentials("SOCKS5 user rejected", ep, options, proxy);
    case CURLPX_NO_AUTH:
      return refused_credentials("SOCKS5: no acceptable authentication method", ep, options, proxy);
    case CURLPX_REPLY_CONNECTION_REFUSED:
    case CURLPX_REPLY_HOST_UNREACHABLE:
    case CURLPX_REPLY_NETWORK_UNREACHABLE:
    case CURLPX_REPLY_TTL_EXPIRED:
    case CURLPX_RESOLVE_HOST:
      return cannot_reach("SOCKS: " + detail, ep, proxy);
    default:
      return refused_tunnel("SOCKS: " + detail, ep, proxy);
  }
}

}  // namespace

bool is_http_proxy(const NetworkOptions& options) {
  const std::string lower = to_lower(options.proxy);
  return lower.starts_with("http://") || lower.starts_with("https://");
}

std::optional<Error> proxy_refusal(CURL* h, CURLcode code, const std::string& detail, const UrlEndpoint& ep,
                                   const NetworkOptions& options, const UrlEndpoint& proxy) {
  if (options.proxy.empty()) return std::nullopt;
  if (code == CURLE_PROXY) {
    long reply = CURLPX_OK;
    curl_easy_getinfo(h, CURLINFO_PROXY_ERROR, &reply);
    return socks_refusal(reply, detail, ep, options, proxy);
  }
  // A CONNECT that did not answer 200: libcurl reports it as a receive
  // error; the proxy's status tells what happened.
  long connect_status = 0;
  curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_status);
  if (connect_status != 0 && (connect_status < 200 || connect_status > 299))
    return connect_refusal(connect_status, ep, options, proxy);
  return std::nullopt;
}

Error proxy_auth_refused(int status, const UrlEndpoint& ep, const NetworkOptions& options, const UrlEndpoint& proxy) {
  return refused_credentials(std::to_string(status) + " Proxy Authentication Required", ep, options, proxy);
}

}  // namespace s5j::http::curl
