// CurlTransport: the real Transport, on libcurl easy handles.
//
// Handles are pooled and reused so connections stay alive between requests
// (a handle keeps its own connection cache). The path is sent as-is
// (CURLOPT_PATH_AS_IS) so "//", "/./" and "/../" in object keys survive.
// The bandwidth cap in NetworkOptions is shared by every request of this
// transport (a token bucket), not per connection.
//
// Thread safety: perform() is safe from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "http/network_options.h"
#include "http/transport.h"

namespace s5j::http {

// libcurl's receive and upload buffers for one request, in bytes: up to
// 512 KiB, so one callback moves more bytes per syscall on fast links, and
// no bigger than the request moves (libcurl 7.88 allocates both afresh for
// every transfer). Public for tests.
struct TransferBuffers {
  long receive = 0;
  long upload = 0;
};
TransferBuffers transfer_buffers(const Request& request);

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(NetworkOptions options, const Clock& clock = SystemClock::instance());
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<Response> perform(const Request& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// libcurl's version and TLS backend as linked ("libcurl 7.88.1
// (OpenSSL/3.0.15)"), for `s5j --version`.
std::string libcurl_version();

}  // namespace s5j::http
