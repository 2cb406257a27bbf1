#include "http/curl_error.h"

#include <cerrno>
#include <cstring>

#include "http/curl_proxy_error.h"
#include "http/transport_error.h"

namespace s5j::http::curl {
namespace {

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string errno_text(long err) {
  if (err == 0) return {};
  // strerrordesc_np: thread-safe and locale-independent (glibc >= 2.32).
  const char* d = strerrordesc_np(static_cast<int>(err));
  return d != nullptr ? lower_first(d) : "errno " + std::to_string(err);
}

}  // namespace

UrlEndpoint url_endpoint(const std::string& url) {
  UrlEndpoint ep;
  CURLU* u = curl_url();
  if (u == nullptr) return ep;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME | CURLU_PATH_AS_IS) ==
      CURLUE_OK) {
    auto get = [&](CURLUPart part, unsigned flags) {
      char* out = nullptr;
      std::string value;
      if (curl_url_get(u, part, &out, flags) == CURLUE_OK && out != nullptr) value = out;
      curl_free(out);
      return value;
    };
    ep.scheme = get(CURLUPART_SCHEME, 0);
    ep.host = get(CURLUPART_HOST, 0);
    ep.port = get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  }
  curl_url_cleanup(u);
  if (ep.host.empty()) ep.host = "(unparseable URL)";
  return ep;
}

Error transfer_error(ErrorKind kind, std::string_view code, std::string message, const UrlEndpoint& ep) {
  Error e;
  e.kind = kind;
  e.code = std::string(code);
  e.message = std::move(message);
  e.endpoint = ep.base();
  return e;
}

Error error_from_curl(CURL* h, CURLcode code, const char* errbuf, const UrlEndpoint& ep, const Exchange& ex,
                      const NetworkOptions& options, const UrlEndpoint& proxy) {
  using enum ErrorKind;
  const std::string where = ep.host_port();
  long os_errno = 0;
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
  const std::string os = errno_text(os_errno);
  // curl's detail line (errbuf) names hosts and TLS reasons, never the path,
  // query or headers, so it is safe to show.
  const std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(code));
  const bool via_proxy = !options.proxy.empty();
  const std::string proxy_where = proxy.host_port();
  // A proxy that answered and refused: its reason, not the symptom libcurl
  // reports (a receive error for a CONNECT answered 407).
  if (auto refusal = proxy_refusal(h, code, detail, ep, options, proxy)) return *refusal;

  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return transfer_error(retryable, kResolveFailed,
                            "cannot resolve host " + ep.host + ": is the endpoint host name right and DNS reachable?",
                            ep);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return transfer_error(
          retryable, kProxyFailed,
          "cannot resolve proxy host " + proxy.host + ": is the proxy setting right and DNS reachable?", ep);
    case CURLE_COULDNT_CONNECT:
      if (via_proxy)
        return transfer_error(retryable, kProxyFailed,
                              "cannot connect to proxy " + proxy_where + (os.empty() ? "" : " (" + os + ")") + " for " +
                                  where + ": is the proxy setting right and the proxy up?",
                              ep);
      return transfer_error(retryable, kConnectFailed,
                            "cannot connect to " + where + (os.empty() ? "" : " (" + os + ")") +
                                ": is the endpoint URL right and the server up?",
                            ep);
    case CURLE_INTERFACE_FAILED:
      // Retryable per the Transport contract (an interface such as a VPN or
      // USB NIC can come back), but the message points at the setting.
      return transfer_error(retryable, kConnectFailed,
                            "cannot send from bind_interface '" + options.bind_interface + "' to " + where + " (" +
                                detail + "): is it an existing interface name or local address of this host?",
                            ep);
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0)
        return transfer_error(
            retryable, kTimeout,
            "connecting to " + where + (via_proxy ? " through proxy " + proxy_where : "") + " timed out after " +
                std::to_string(options.connect_timeout.count()) +
                " ms: is the endpoint reachable (firewall, routing)? raise connect_timeout on a slow link",
            ep);
      return transfer_error(retryable, kTimeout,
                            "transfer with " + where + " stalled: under " +
                                std::to_string(options.low_speed_bytes_per_sec) + " bytes/s for " +
                                std::to_string(options.low_speed_time.count()) +
                                " s: is the server overloaded or the link congested? see low_speed_time" +
                                (options.max_bytes_per_sec > 0 ? " and max_bytes_per_sec" : ""),
                            ep);
    }
    case CURLE_PARTIAL_FILE: {
      curl_off_t announced = -1;
      curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
      return transfer_error(retryable, kRecvFailed,
                            "response body from " + where + " cut short: got " +
                                std::to_string(ex.response->body_bytes) +
                                (announced >= 0 ? " of " + std::to_string(announced) : std::string()) +
                                " bytes announced: the connection dropped, try again",
                            ep);
    }
    case CURLE_GOT_NOTHING:
      return transfer_error(retryable, kConnectionReset,
                            where + " closed the connection without answering: server restarting or overloaded?", ep);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR: {
      const bool reset = os_errno == ECONNRESET || os_errno == EPIPE || os_errno == ECONNABORTED;
      const bool send = code == CURLE_SEND_ERROR;
      if (reset)
        return transfer_error(retryable, kConnectionReset,
                              "connection to " + where + " reset while " + (send ? "sending" : "receiving") +
                                  ": server restarting, overloaded, or a middlebox dropped it",
                              ep);
      return transfer_error(retryable, send ? kSendFailed : kRecvFailed,
                            std::string(send ? "sending to " : "receiving from ") + where + " failed (" +
                                (os.empty() ? detail : os) + ")",
                            ep);
    }
    case CURLE_SEND_FAIL_REWIND:
      return transfer_error(
          retryable, kSendFailed,
          "connection to " + where + " dropped while the request body streamed; it cannot be replayed here", ep);
    case CURLE_WEIRD_SERVER_REPLY:
      return transfer_error(retryable, kRecvFailed,
                            where + " sent an answer that is not HTTP/1.1 (" + detail +
                                "): is the scheme right (http vs https) and the port the S3 one?",
                            ep);
    case CURLE_SSL_CACERT_BADFILE:
      return transfer_error(permanent, kTlsCertificate,
                            "cannot load ca_bundle '" + options.ca_bundle + "' for " + where + " (" + detail +
                                "): does the file exist, is it readable and in PEM format?",
                            ep);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
      return transfer_error(
          permanent, kTlsCertificate,
          "TLS certificate of " + where + " not accepted (" + detail + "): " +
              (options.ca_bundle.empty() ? "for a self-signed or private CA set ca_bundle to its PEM file"
                                         : "does ca_bundle '" + options.ca_bundle + "' hold the CA that signed it") +
              ", and does the URL host match the certificate?",
          ep);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
      return transfer_error(
          retryable, kTlsError,
          "TLS handshake with " + where + " failed (" + detail + "): does the endpoint speak https on this port?", ep);
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      if (ex.callback_error) return *ex.callback_error;  // callers get their own Error back (handled earlier too)
      return transfer_error(permanent, kBodyAborted, "transfer with " + where + " aborted by the body callback", ep);
    case CURLE_UNSUPPORTED_PROTOCOL:
      // Also what curl reports for a reply that is not HTTP at all
      // ("Received HTTP/0.9"), e.g. plain http sent to a TLS port.
      if (ep.scheme == "http" || ep.scheme == "https")
        return transfer_error(retryable, kRecvFailed,
                              where + " sent an answer that is not HTTP/1.1 (" + detail +
                                  "): is the scheme right (http vs https) and the port the S3 one?",
                              ep);
      [[fallthrough]];
    case CURLE_URL_MALFORMAT:
      // A caller bug, not a network condition: retrying cannot help.
      return transfer_error(permanent, kTransportError, "request URL for " + where + " is not usable (" + detail + ")",
                            ep);
    default:
      return transfer_error(retryable, kTransportError, "request to " + where + " failed (" + detail + ")", ep);
  }
}

}  // namespace s5j::http::curl
