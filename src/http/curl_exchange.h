// The state of one CurlTransport::perform() and the libcurl callbacks that
// fill it: response headers (interim 1xx answers dropped, folded lines
// joined), the body (to the request's sink on success, kept otherwise), and
// the request body (from memory or the request's reader, never beyond the
// announced size; rewound only where that is possible). The bandwidth cap
// is charged as bytes pass. Internal to CurlTransport (curl_transport.cpp).
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/error.h"
#include "http/rate_limiter.h"
#include "http/transport.h"

namespace s5j::http::curl {

// State of one perform(), reached from curl's callbacks (`user`).
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

// CURLOPT_HEADERFUNCTION, CURLOPT_WRITEFUNCTION, CURLOPT_READFUNCTION and
// CURLOPT_SEEKFUNCTION; `user` is the Exchange. A callback that fails keeps
// its Error in Exchange::callback_error and makes curl abort the transfer.
size_t on_header(char* data, size_t size, size_t count, void* user);
size_t on_body(char* data, size_t size, size_t count, void* user);
size_t on_read(char* buffer, size_t size, size_t count, void* user);
int on_seek(void* user, curl_off_t offset, int origin);

}  // namespace s5j::http::curl
