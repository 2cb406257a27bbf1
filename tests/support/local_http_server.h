// LocalHttpServer: a scriptable HTTP/1.1 server on 127.0.0.1 for tests of
// the transport, the S3 client's retries and endpoint failover.
//
//   LocalHttpServer server([](const HttpRequest& r) {
//     if (r.target == "/b/k") return HttpAction::respond(200, "data");
//     return HttpAction::respond(503, "<Error><Code>SlowDown</Code></Error>");
//   });
//   transport.perform({.method = "GET", .url = server.url() + "/b/k"});
//   server.requests();          // every request, in arrival order
//   server.connection_count();  // TCP connections accepted so far
//
// Each accepted connection is served by its own thread with keep-alive: the
// handler is called once per request and its HttpAction says what to do:
// answer, close or reset the connection, cut the body short, delay, trickle.
// The server listens on an OS-chosen port, binds only to loopback, and stops
// (closing every connection, interrupting delays, joining all threads) in
// stop() or the destructor.
//
// Thread safety: the handler runs on connection threads, possibly several at
// once; it must be thread-safe (use atomics or a mutex for counters). All
// public methods are thread-safe. A request is recorded before the handler
// runs, so once a client has its answer (or its error) the request is
// visible in requests().
//
// Failure: the constructor throws std::runtime_error when it cannot listen
// (tests only; never in production code).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/transport.h"

namespace s5j::testing {

struct HttpRequest {
  std::string method;
  std::string target;   // request-target exactly as received ("/b/a//k?x=1", or absolute via a proxy)
  std::string version;  // "HTTP/1.1"
  http::Headers headers;  // in order, names as received
  std::string body;     // de-chunked when sent chunked
  bool chunked = false;  // body came with Transfer-Encoding: chunked
  size_t connection = 0;  // 0-based index of the accepted connection that carried it

  std::optional<std::string_view> header(std::string_view name) const { return http::find_header(headers, name); }
  std::string path() const;   // target up to '?'
  std::string query() const;  // after '?', "" when none
};

struct HttpAction {
  enum class Kind {
    respond,         // a complete answer
    close,           // close the connection (FIN) without answering
    reset,           // reset the connection (RST, SO_LINGER 0) without answering
    truncate_body,   // full headers and Content-Length, `cut_after` body bytes, then FIN
    reset_mid_body,  // full headers and Content-Length, `cut_after` body bytes, then RST
  };

  Kind kind = Kind::respond;
  int status = 200;
  http::Headers headers;  // Content-Length is added unless given here
  std::string body;       // for HEAD only its length is announced
  size_t cut_after = 0;   // body bytes sent before the cut (truncate_body, reset_mid_body)
  std::chrono::milliseconds delay{0};  // wait before sending anything (or before closing)
  size_t trickle_bytes = 0;            // > 0: send the body in pieces of this many bytes...
  std::chrono::milliseconds trickle_interval{0};  // ...with this pause before each piece

  static HttpAction respond(int status, std::string body = {}, http::Headers headers = {});
  static HttpAction close_connection();
  static HttpAction reset_connection();
  static HttpAction truncate_body(int status, std::string body, size_t cut_after);
  static HttpAction reset_mid_body(int status, std::string body, size_t cut_after);

  // Modifiers, chainable on a fresh action: respond(200, x).after(2s).
  HttpAction& after(std::chrono::milliseconds d);
  HttpAction& trickle(size_t bytes, std::chrono::milliseconds interval);
  HttpAction& header(std::string name, std::string value);  // "Connection: close" closes after the answer
};

using HttpHandler = std::function<HttpAction(const HttpRequest&)>;

class LocalHttpServer {
 public:
  // Starts listening at once. The default handler answers 200 with no body.
  explicit LocalHttpServer(HttpHandler handler = {});
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  uint16_t port() const { return port_; }
  std::string host_port() const;  // "127.0.0.1:PORT"
  std::string url() const;        // "http://127.0.0.1:PORT" (no trailing slash)

  // Replaces the handler for requests that arrive from now on.
  void set_handler(HttpHandler handler);

  std::vector<HttpRequest> requests() const;  // copies, in arrival order
  size_t request_count() const;
  size_t connection_count() const;  // connections accepted so far

  // Stops accepting, closes every connection, interrupts delays and trickles,
  // joins all threads. Idempotent; the destructor calls it.
  void stop();

 private:
  void accept_loop();
  void serve(int fd, size_t connection);
  bool wait_unless_stopping(std::chrono::milliseconds d);  // false when stopping
  void finish(int fd, bool reset);

  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  HttpHandler handler_;
  std::vector<HttpRequest> requests_;
  size_t connections_ = 0;
  std::set<int> open_fds_;  // connection sockets still open
  std::list<std::thread> threads_;

  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: wakes the accept loop on stop()
  uint16_t port_ = 0;
  std::thread accept_thread_;
};

}  // namespace s5j::testing
