// CurlTransport: the handle pool and the setup of one request on a pooled
// easy handle. The callbacks that move headers and bodies are in
// curl_exchange.cpp, the mapping of a failed transfer to an Error in
// curl_error.cpp.
#include "http/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "http/curl_error.h"
#include "http/curl_exchange.h"
#include "http/curl_proxy_error.h"
#include "http/rate_limiter.h"
#include "http/transport_error.h"

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
  curl::UrlEndpoint proxy;  // host:port only, for messages
  std::mutex mutex;
  std::vector<CURL*> idle;  // guarded by mutex

  Impl(NetworkOptions o, const Clock& c) : options(std::move(o)), clock(c) {
    if (options.max_bytes_per_sec > 0) limiter.emplace(options.max_bytes_per_sec, clock);
    if (!options.proxy.empty()) proxy = curl::url_endpoint(options.proxy);
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
};

Result<Response> CurlTransport::Impl::perform(CURL* h, const Request& request) {
  // The endpoint only names the server in an error; parsing the URL is left
  // to the failures (it was ~2 % of a small-object sync's CPU).
  Response response;
  curl::Exchange ex;
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

  set(CURLOPT_HEADERFUNCTION, &curl::on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&ex));
  set(CURLOPT_WRITEFUNCTION, &curl::on_body);
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
    set(CURLOPT_READFUNCTION, &curl::on_read);
    set(CURLOPT_READDATA, static_cast<void*>(&ex));
    set(CURLOPT_SEEKFUNCTION, &curl::on_seek);
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
    const curl::UrlEndpoint ep = curl::url_endpoint(request.url);
    return std::unexpected(curl::transfer_error(
        ErrorKind::permanent, kTransportError,
        "cannot configure libcurl for " + ep.host_port() + ": an option is unsupported by this libcurl build", ep));
  }

  const CURLcode code = curl_easy_perform(h);
  // Release the borrowed pointers before the handle returns to the pool.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);

  if (ex.callback_error) return std::unexpected(std::move(*ex.callback_error));
  if (code != CURLE_OK)
    return std::unexpected(curl::error_from_curl(h, code, errbuf, curl::url_endpoint(request.url), ex, options, proxy));

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  // An http endpoint through an HTTP proxy is not tunnelled: a 407 is the
  // proxy's answer in place of the server's (no S3 server sends one).
  if (status == 407 && curl::is_http_proxy(options))
    return std::unexpected(curl::proxy_auth_refused(407, curl::url_endpoint(request.url), options, proxy));
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

std::string libcurl_version() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  std::string out = std::string("libcurl ") + info->version;
  if (info->ssl_version != nullptr) out += std::string(" (") + info->ssl_version + ")";
  return out;
}

}  // namespace s5j::http
