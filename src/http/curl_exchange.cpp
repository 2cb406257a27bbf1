#include "http/curl_exchange.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "base/strings.h"
#include "http/transport_error.h"

namespace s5j::http::curl {
namespace {

Error body_aborted(std::string message) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = std::string(kBodyAborted);
  e.message = std::move(message);
  return e;
}

}  // namespace

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

}  // namespace s5j::http::curl
