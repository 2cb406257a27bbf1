// FakeTransport: an in-memory http::Transport for unit tests of the S3
// client. A handler decides each answer (or transport failure); every
// request is recorded with its body, so tests check exact signed headers,
// paths and retries. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "http/transport.h"

namespace s5j::testing {

struct RecordedRequest {
  std::string method;
  std::string url;
  http::Headers headers;
  std::string body;
  std::string header(std::string_view name) const {
    auto v = http::find_header(headers, name);
    return v ? std::string(*v) : std::string();
  }
};

// The whole body a request sends: its in-memory bytes, or all its
// body_reader yields (the reader's error if it fails), as a server sees it.
inline Result<std::string> read_request_body(const http::Request& request) {
  std::string body(request.body_bytes());
  if (request.body_reader) {
    std::string buffer(64 * 1024, '\0');
    for (;;) {
      auto n = request.body_reader(buffer.data(), buffer.size());
      if (!n) return std::unexpected(n.error());
      if (*n == 0) break;
      body.append(buffer.data(), *n);
    }
  }
  return body;
}

// What the fake does with one request.
struct FakeAnswer {
  int status = 200;
  http::Headers headers;
  std::string body;
  // When set, the request fails at transport level with this code
  // ("ConnectFailed", "ConnectionReset", ...), retryable unless said otherwise.
  std::string transport_error;
  bool transport_error_retryable = true;
  // Deliver only this many body bytes, then fail with RecvFailed (a
  // connection broken mid-body). npos = deliver everything.
  size_t cut_body_after = std::string::npos;
};

class FakeTransport final : public http::Transport {
 public:
  using Handler = std::function<FakeAnswer(const RecordedRequest& request, int call_index)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  Result<http::Response> perform(const http::Request& request) override {
    auto sent = read_request_body(request);
    if (!sent) return std::unexpected(sent.error());
    RecordedRequest recorded{request.method, request.url, request.headers, std::move(*sent)};
    int index;
    {
      std::lock_guard lock(mutex_);
      index = static_cast<int>(requests_.size());
      requests_.push_back(recorded);
    }
    FakeAnswer answer = handler_(recorded, index);
    if (!answer.transport_error.empty()) {
      Error e;
      e.kind = answer.transport_error_retryable ? ErrorKind::retryable : ErrorKind::permanent;
      e.code = answer.transport_error;
      e.message = "fake " + answer.transport_error;
      return std::unexpected(e);
    }
    http::Response response;
    response.status = answer.status;
    response.headers = answer.headers;
    if (request.on_headers)
      if (auto s = request.on_headers(answer.status, answer.headers); !s) return std::unexpected(s.error());
    std::string_view body = answer.body;
    const bool cut = answer.cut_body_after < body.size();
    if (cut) body = body.substr(0, answer.cut_body_after);
    const bool ok = answer.status >= 200 && answer.status < 300;
    if (ok && request.sink) {
      if (!body.empty())
        if (auto s = request.sink(body); !s) return std::unexpected(s.error());
    } else {
      response.body = std::string(body);
    }
    response.body_bytes = body.size();
    if (cut) {
      Error e;
      e.kind = ErrorKind::retryable;
      e.code = "RecvFailed";
      e.message = "fake connection broken mid-body";
      return std::unexpected(e);
    }
    return response;
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  Handler handler_;
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;  // guarded by mutex_
};

}  // namespace s5j::testing
