#include "http/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "http/transport_error.h"
#include "http/rate_limiter.h"

namespace s5j::http {
namespace {

// Transfer buffers, sized per request (transfer_buffers): libcurl 7.88
// allocates both afresh for every transfer, and a 512 KiB buffer for a
// 16 KiB object made the allocator consolidate and trim on every request.
// Socket buffers are left to the kernel: setting SO_RCVBUF would switch off
// Linux autotuning.
constexpr uint64_t kLargestBufferBytes = 512 * 1024;
constexpr uint64_t kSmallestBufferBytes = 16 * 1024;  // libcurl's floor for the upload buffer

constexpr uint64_t kInlineBodyBytes = 64 * 1024;  // libcurl's MAX_INITIAL_POST_SIZE

long buffer_bytes_for(uint64_t bytes_moved) {
  return static_cast<long>(std::clamp(bytes_moved, kSmallestBufferBytes, kLargestBufferBytes));
}

constexpr long kKeepAliveIdleSeconds = 30;
constexpr long kKeepAliveIntervalSeconds = 15;

CURLcode global_init() {
  // curl_global_init is not thread-safe in every libcurl build; once per
  // process, never cleaned up (other transports may still be alive).
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

// scheme, host and port of a URL, for messages and Error::endpoint. Never
// the path, query or user info: a presigned query or "user:pass@" must not
// reach a log.
struct Endpoint {
  std::string scheme;
  std::string host;
  std::string port;
  std::string host_port() const { return port.empty() ? host : host + ":" + port; }
  std::string base() const { return scheme.empty() ? host_port() : scheme + "://" + host_port(); }
};

Endpoint parse_endpoint(const std::string& url) {
  Endpoint ep;
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

// State of one perform(), reached from curl's callbacks.
struct Exchange {
  const Request* request = nullptr;
  Response* response = nullptr;
  RateLimiter* limiter = nullptr;
  std::optional<Error> callback_error;  // the sink's/reader's own Error, returned as is
  // Upload progress.
  bool use_reader = false;
  uint64_t upload_size = 0;
  uint64_t upload_offset = 0;
  // Download state.
  int status = 0;
  bool final_headers_done = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * count;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);

  if (line.starts_with("HTTP/")) {
    // A new status line: an interim 1xx answer came before, start over.
    const auto sp = line.find(' ');
    int status = 0;
    if (sp != std::string_view::npos && line.size() >= sp + 4)
      std::from_chars(line.data() + sp + 1, line.data() + sp + 4, status);
    ex->status = status;
    ex->response->headers.clear();
    return len;
  }
  if (line.empty()) {
    // End of a header block. Only the final (non-1xx) one counts.
    if (ex->status >= 200 && !ex->final_headers_done) {
      ex->final_headers_done = true;
      ex->response->status = ex->status;
      if (ex->request->on_headers) {
        auto st = ex->request->on_headers(ex->status, ex->response->headers);
        if (!st) {
          ex->callback_error = std::move(st.error());
          return 0;  // any count != len aborts the transfer
        }
      }
    }
    return len;
  }
  if (line.front() == ' ' || line.front() == '\t') {
    // Obsolete line folding: continues the previous value.
    if (!ex->response->headers.empty()) {
      auto& v = ex->response->headers.back().value;
      v += ' ';
      v += trim(line);
    }
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;  // not a header; ignore
  // After the final header block come only chunked trailers; keep them too.
  ex->response->headers.push_back(Header{std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  return len;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * count;
  if (len == 0) return 0;
  if (ex->limiter != nullptr) ex->limiter->acquire(len);
  ex->response->body_bytes += len;
  const bool success = ex->status >= 200 && ex->status < 300;
  if (success && ex->request->sink) {
    auto st = ex->request->sink(std::string_view(data, len));
    if (!st) {
      ex->callback_error = std::move(st.error());
      return 0;  // != len: curl aborts with CURLE_WRITE_ERROR
    }
  } else {
    ex->response->body.append(data, len);
  }
  return len;
}

Error body_aborted(std::string message) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = std::string(kBodyAborted);
  e.message = std::move(message);
  return e;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const uint64_t remaining = ex->upload_size - ex->upload_offset;
  // Never hand curl more than Content-Length announced: extra bytes would be
  // read by the server as the start of the next request.
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size * count, remaining));
  if (want == 0) return 0;
  size_t got = 0;
  if (ex->use_reader) {
    auto r = ex->request->body_reader(buffer, want);
    if (!r) {
      ex->callback_error = std::move(r.error());
      return CURL_READFUNC_ABORT;
    }
    got = *r;
    if (got == 0 || got > want) {
      ex->callback_error = body_aborted(
          got == 0 ? "request body reader ended after " + std::to_string(ex->upload_offset) + " of " +
                         std::to_string(ex->upload_size) + " announced bytes"
                   : "request body reader returned more bytes than asked for");
      return CURL_READFUNC_ABORT;
    }
  } else {
    got = want;
    std::memcpy(buffer, ex->request->body_bytes().data() + ex->upload_offset, got);
  }
  ex->upload_offset += got;
  if (ex->limiter != nullptr) ex->limiter->acquire(got);
  return got;
}

// curl rewinds the upload when it resends a request, e.g. after a reused
// keep-alive connection turned out dead. Memory bodies can rewind; a reader
// can only "rewind" to where it still is (nothing consumed yet). Otherwise
// curl fails with CURLE_SEND_FAIL_REWIND, a retryable SendFailed, and the
// caller retries with a fresh reader.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* ex = static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > ex->upload_size) return CURL_SEEKFUNC_CANTSEEK;
  if (ex->use_reader && static_cast<uint64_t>(offset) != ex->upload_offset) return CURL_SEEKFUNC_CANTSEEK;
  ex->upload_offset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool append(Slist& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (next == nullptr) return false;
  (void)list.release();
  list.reset(next);
  return true;
}

}  // namespace

struct CurlTransport::Impl {
  NetworkOptions options;
  const Clock& clock;
  std::optional<RateLimiter> limiter;
  Endpoint proxy;  // host:port only, for messages
  std::mutex mutex;
  std::vector<CURL*> idle;  // guarded by mutex

  Impl(NetworkOptions o, const Clock& c) : options(std::move(o)), clock(c) {
    if (options.max_bytes_per_sec > 0) limiter.emplace(options.max_bytes_per_sec, clock);
    if (!options.proxy.empty()) proxy = parse_endpoint(options.proxy);
  }

  ~Impl() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }

  CURL* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void give_back(CURL* h) {
    // curl_easy_reset clears options but keeps the connection cache, DNS
    // cache and TLS session cache: the point of pooling.
    curl_easy_reset(h);
    std::lock_guard lock(mutex);
    idle.push_back(h);
  }

  Result<Response> perform(CURL* h, const Request& request);
  Error map_error(CURL* h, CURLcode code, const char* errbuf, const Endpoint& ep, const Exchange& ex) const;
};

namespace {

Error make(ErrorKind kind, std::string_view code, std::string message, const Endpoint& ep) {
  Error e;
  e.kind = kind;
  e.code = std::string(code);
  e.message = std::move(message);
  e.endpoint = ep.base();
  return e;
}

}  // namespace

Error CurlTransport::Impl::map_error(CURL* h, CURLcode code, const char* errbuf, const Endpoint& ep,
                                     const Exchange& ex) const {
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

  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return make(retryable, kResolveFailed,
                  "cannot resolve host " + ep.host + ": is the endpoint host name right and DNS reachable?", ep);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make(retryable, kProxyFailed,
                  "cannot resolve proxy host " + proxy.host + ": is the proxy setting right and DNS reachable?", ep);
    case CURLE_COULDNT_CONNECT:
      if (via_proxy)
        return make(retryable, kProxyFailed,
                    "cannot connect to proxy " + proxy_where + (os.empty() ? "" : " (" + os + ")") +
                        " for " + where + ": is the proxy setting right and the proxy up?",
                    ep);
      return make(retryable, kConnectFailed,
                  "cannot connect to " + where + (os.empty() ? "" : " (" + os + ")") +
                      ": is the endpoint URL right and the server up?",
                  ep);
    case CURLE_INTERFACE_FAILED:
      // Retryable per the Transport contract (an interface such as a VPN or
      // USB NIC can come back), but the message points at the setting.
      return make(retryable, kConnectFailed,
                  "cannot send from bind_interface '" + options.bind_interface + "' to " + where + " (" + detail +
                      "): is it an existing interface name or local address of this host?",
                  ep);
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0)
        return make(retryable, kTimeout,
                    "connecting to " + where + (via_proxy ? " through proxy " + proxy_where : "") + " timed out after " +
                        std::to_string(options.connect_timeout.count()) +
                        " ms: is the endpoint reachable (firewall, routing)? raise connect_timeout on a slow link",
                    ep);
      return make(retryable, kTimeout,
                  "transfer with " + where + " stalled: under " + std::to_string(options.low_speed_bytes_per_sec) +
                      " bytes/s for " + std::to_string(options.low_speed_time.count()) +
                      " s: is the server overloaded or the link congested? see low_speed_time" +
                      (limiter ? " and max_bytes_per_sec" : ""),
                  ep);
    }
    case CURLE_PARTIAL_FILE: {
      curl_off_t announced = -1;
      curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
      return make(retryable, kRecvFailed,
                  "response body from " + where + " cut short: got " + std::to_string(ex.response->body_bytes) +
                      (announced >= 0 ? " of " + std::to_string(announced) : std::string()) +
                      " bytes announced: the connection dropped, try again",
                  ep);
    }
    case CURLE_GOT_NOTHING:
      return make(retryable, kConnectionReset,
                  where + " closed the connection without answering: server restarting or overloaded?", ep);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR: {
      const bool reset = os_errno == ECONNRESET || os_errno == EPIPE || os_errno == ECONNABORTED;
      const bool send = code == CURLE_SEND_ERROR;
      if (reset)
        return make(retryable, kConnectionReset,
                    "connection to " + where + " reset while " + (send ? "sending" : "receiving") +
                        ": server restarting, overloaded, or a middlebox dropped it",
                    ep);
      return make(retryable, send ? kSendFailed : kRecvFailed,
                  std::string(send ? "sending to " : "receiving from ") + where + " failed (" +
                      (os.empty() ? detail : os) + ")",
                  ep);
    }
    case CURLE_SEND_FAIL_REWIND:
      return make(retryable, kSendFailed,
                  "connection to " + where + " dropped while the request body streamed; it cannot be replayed here",
                  ep);
    case CURLE_WEIRD_SERVER_REPLY:
      return make(retryable, kRecvFailed, where + " sent an answer that is not HTTP/1.1 (" + detail +
                                               "): is the scheme right (http vs https) and the port the S3 one?",
                  ep);
    case CURLE_SSL_CACERT_BADFILE:
      return make(permanent, kTlsCertificate,
                  "cannot load ca_bundle '" + options.ca_bundle + "' for " + where + " (" + detail +
                      "): does the file exist, is it readable and in PEM format?",
                  ep);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
      return make(permanent, kTlsCertificate,
                  "TLS certificate of " + where + " not accepted (" + detail + "): " +
                      (options.ca_bundle.empty()
                           ? "for a self-signed or private CA set ca_bundle to its PEM file"
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
      return make(retryable, kTlsError,
                  "TLS handshake with " + where + " failed (" + detail + "): does the endpoint speak https on this port?",
                  ep);
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      if (ex.callback_error) return *ex.callback_error;  // callers get their own Error back (handled earlier too)
      return make(permanent, kBodyAborted, "transfer with " + where + " aborted by the body callback", ep);
    case CURLE_UNSUPPORTED_PROTOCOL:
      // Also what curl reports for a reply that is not HTTP at all
      // ("Received HTTP/0.9"), e.g. plain http sent to a TLS port.
      if (ep.scheme == "http" || ep.scheme == "https")
        return make(retryable, kRecvFailed, where + " sent an answer that is not HTTP/1.1 (" + detail +
                                                 "): is the scheme right (http vs https) and the port the S3 one?",
                    ep);
      [[fallthrough]];
    case CURLE_URL_MALFORMAT:
      // A caller bug, not a network condition: retrying cannot help.
      return make(permanent, kTransportError, "request URL for " + where + " is not usable (" + detail + ")", ep);
    default:
      return make(retryable, kTransportError, "request to " + where + " failed (" + detail + ")", ep);
  }
}

Result<Response> CurlTransport::Impl::perform(CURL* h, const Request& request) {
  // The endpoint only names the server in an error; parsing the URL is left
  // to the failures (it was ~2 % of a small-object sync's CPU).
  Response response;
  Exchange ex;
  ex.request = &request;
  ex.response = &response;
  ex.limiter = limiter ? &*limiter : nullptr;

  const std::string& method = request.method;
  const bool has_body = request.body_reader ? true : !request.body_bytes().empty();
  // PUT and POST always carry a Content-Length (0 when empty): S3 answers
  // 411 MissingContentLength otherwise.
  const bool upload = has_body || method == "PUT" || method == "POST";
  ex.use_reader = static_cast<bool>(request.body_reader);
  ex.upload_size = ex.use_reader ? request.body_size : request.body_bytes().size();

  char errbuf[CURL_ERROR_SIZE] = {};
  bool ok = true;
  auto set = [&](CURLoption opt, auto value) {
    if (curl_easy_setopt(h, opt, value) != CURLE_OK) ok = false;
  };

  set(CURLOPT_ERRORBUFFER, errbuf);
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");  // an endpoint typo must not start an FTP or file:// transfer
  set(CURLOPT_PATH_AS_IS, 1L);  // the signature covers the exact path bytes
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_TCP_KEEPIDLE, kKeepAliveIdleSeconds);
  set(CURLOPT_TCP_KEEPINTVL, kKeepAliveIntervalSeconds);
  // Best effort: libcurl 7.88 refuses CURLOPT_BUFFERSIZE (BAD_FUNCTION_ARGUMENT)
  // on the request after a failed name resolution, while its old buffer is
  // still allocated; that one request then runs with the default size.
  const TransferBuffers buffers = transfer_buffers(request);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, buffers.receive);
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, buffers.upload);
  // Object bytes must arrive as stored: a Content-Encoding: gzip object is
  // copied, not unpacked.
  set(CURLOPT_HTTP_CONTENT_DECODING, 0L);
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a proxy's CONNECT answer is not the response

  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_bytes_per_sec));
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));

  if (!options.ca_bundle.empty()) set(CURLOPT_CAINFO, options.ca_bundle.c_str());
  if (options.insecure_skip_verify) {
    set(CURLOPT_SSL_VERIFYPEER, 0L);
    set(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  // An empty string switches proxies off, including http_proxy/https_proxy/
  // ALL_PROXY from the environment: a transfer tool silently routing
  // terabytes through a proxy someone exported for a browser is worse than
  // asking users to set `proxy` explicitly.
  set(CURLOPT_PROXY, options.proxy.c_str());
  if (!options.bind_interface.empty()) set(CURLOPT_INTERFACE, options.bind_interface.c_str());

  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&ex));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&ex));

  // A small in-memory body leaves with the request headers, in one send
  // (libcurl copies a POSTFIELDS body under 64 KiB into its header buffer),
  // rather than in a second send from the read callback: a syscall and a
  // packet fewer per small PUT. Not under a bandwidth cap, which charges
  // upload bytes as the read callback hands them over.
  const bool inline_body = upload && !ex.use_reader && ex.limiter == nullptr && ex.upload_size <= kInlineBodyBytes;
  if (inline_body) {
    set(CURLOPT_POSTFIELDS, request.body_bytes().data());
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(ex.upload_size));
    set(CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (upload) {
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(ex.upload_size));
    set(CURLOPT_READFUNCTION, &on_read);
    set(CURLOPT_READDATA, static_cast<void*>(&ex));
    set(CURLOPT_SEEKFUNCTION, &on_seek);
    set(CURLOPT_SEEKDATA, static_cast<void*>(&ex));
    if (method != "PUT") set(CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);  // do not wait for the body Content-Length announces
  } else if (method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else {
    set(CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  Slist headers;
  bool caller_expect = false;
  for (const auto& hd : request.headers) {
    if (iequals(hd.name, "Expect")) caller_expect = true;
    // "Name;" is curl's syntax for a header with an empty value ("Name:"
    // would remove the header instead).
    if (!append(headers, hd.value.empty() ? hd.name + ";" : hd.name + ": " + hd.value)) ok = false;
  }
  // No "Expect: 100-continue": it costs a round trip per upload and some S3
  // servers (the Snowball adapter) mishandle it.
  if (!caller_expect && !append(headers, "Expect:")) ok = false;
  // curl adds "Accept: */*" by default; S3 needs no Accept header.
  if (!append(headers, "Accept:")) ok = false;
  // Nor the form Content-Type curl gives a POSTFIELDS body: S3 would store
  // it as the object's type.
  if (inline_body && !find_header(request.headers, "Content-Type") && !append(headers, "Content-Type:")) ok = false;
  set(CURLOPT_HTTPHEADER, headers.get());

  if (!ok) {
    const Endpoint ep = parse_endpoint(request.url);
    return std::unexpected(make(ErrorKind::permanent, kTransportError,
                                "cannot configure libcurl for " + ep.host_port() +
                                    ": an option is unsupported by this libcurl build",
                                ep));
  }

  const CURLcode code = curl_easy_perform(h);
  // Release the borrowed pointers before the handle returns to the pool.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);

  if (ex.callback_error) return std::unexpected(std::move(*ex.callback_error));
  if (code != CURLE_OK) return std::unexpected(map_error(h, code, errbuf, parse_endpoint(request.url), ex));

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

// A response body of unknown size gets the largest buffer: it may be a
// 5 GiB part. Answers to anything but GET are headers and short XML.
TransferBuffers transfer_buffers(const Request& request) {
  TransferBuffers b;
  if (request.expected_response_bytes > 0) {
    b.receive = buffer_bytes_for(request.expected_response_bytes);
  } else {
    b.receive = buffer_bytes_for(request.method == "GET" ? kLargestBufferBytes : 0);
  }
  b.upload = buffer_bytes_for(request.body_reader ? request.body_size : request.body_bytes().size());
  return b;
}

CurlTransport::CurlTransport(NetworkOptions options, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {
  global_init();
}

CurlTransport::~CurlTransport() = default;

Result<Response> CurlTransport::perform(const Request& request) {
  if (global_init() != CURLE_OK)
    return make_error(ErrorKind::fatal, kTransportError, "libcurl failed to initialise (curl_global_init)");
  CURL* h = impl_->take();
  if (h == nullptr) return make_error(ErrorKind::retryable, kTransportError, "cannot create a libcurl handle (out of memory?)");
  auto result = impl_->perform(h, request);
  impl_->give_back(h);
  return result;
}

}  // namespace s5j::http
