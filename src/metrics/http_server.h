// A small read-only HTTP server (civetweb) for what s5j serves: `/metrics`
// of a run (`--metrics-addr`) and `s5j status --serve`'s page, API and
// metrics. GET and HEAD only; each route is an exact path answered by a
// handler; no files are served.
//
// With a token, every request must carry it, as "Authorization: Bearer
// TOKEN" or as the query parameter "token=TOKEN" (what a browser opening
// the page can send); others get 401 with a line saying how. The token is
// compared in constant time and never appears in an answer.
//
// Thread safety: handlers run on the server's threads (a few at once) and
// must be thread-safe; start() and the destructor from one thread. The
// destructor stops the server and waits for requests in progress.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/error.h"
#include "http/listen_address.h"

struct mg_connection;  // civetweb's, kept out of this header
struct mg_context;

namespace s5j::metrics {

struct HttpRequest {
  std::string path;   // "/api/status"
  std::string query;  // without '?', possibly empty
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  http::ListenAddress address;
  std::map<std::string, HttpHandler> routes;  // exact path -> handler
  std::string token;                          // empty: no token asked
};

// Error code of start(): the address could not be bound (in use, not
// this machine's) or the server would not start.
inline constexpr char kListenFailed[] = "ListenFailed";

class HttpServer {
 public:
  // Binds and starts serving. Errors: kListenFailed (permanent), naming the
  // address and civetweb's reason.
  static Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port it listens on (the system's choice when asked for port 0).
  uint16_t port() const { return port_; }
  // "http://127.0.0.1:9464"
  std::string url() const;

 private:
  explicit HttpServer(HttpServerOptions options) : options_(std::move(options)) {}
  static int handle(::mg_connection* connection, void* self);
  HttpResponse answer(const HttpRequest& request, const std::string& authorization) const;

  const HttpServerOptions options_;
  ::mg_context* context_ = nullptr;
  uint16_t port_ = 0;
};

// Whether `query` ("a=1&token=x") carries token=`token`, or `authorization`
// is "Bearer `token`"; constant-time in the token's bytes. Pure.
bool request_has_token(const std::string& query, const std::string& authorization, const std::string& token);

}  // namespace s5j::metrics
