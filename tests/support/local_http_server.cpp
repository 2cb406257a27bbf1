#include "support/local_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "base/strings.h"

namespace s5j::testing {
namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;

std::string reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a client that hung up must not kill the test with SIGPIPE.
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Appends what the socket has to `buf`; false on EOF, error or shutdown.
bool receive_more(int fd, std::string& buf) {
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

// Makes sure `buf` holds at least `n` bytes.
bool receive_at_least(int fd, std::string& buf, size_t n) {
  while (buf.size() < n)
    if (!receive_more(fd, buf)) return false;
  return true;
}

// Returns the line (without CRLF) at the start of `buf`, consuming it.
std::optional<std::string> take_line(int fd, std::string& buf) {
  size_t end;
  while ((end = buf.find("\r\n")) == std::string::npos) {
    if (buf.size() > kMaxHeaderBytes || !receive_more(fd, buf)) return std::nullopt;
  }
  std::string line = buf.substr(0, end);
  buf.erase(0, end + 2);
  return line;
}

bool read_chunked(int fd, std::string& buf, std::string& body) {
  for (;;) {
    auto line = take_line(fd, buf);
    if (!line) return false;
    size_t size = 0;
    const auto r = std::from_chars(line->data(), line->data() + line->size(), size, 16);
    if (r.ec != std::errc()) return false;
    if (size == 0) {
      // Trailers up to an empty line.
      for (;;) {
        auto t = take_line(fd, buf);
        if (!t) return false;
        if (t->empty()) return true;
      }
    }
    if (!receive_at_least(fd, buf, size + 2)) return false;
    body.append(buf, 0, size);
    buf.erase(0, size + 2);
  }
}

// Reads one request from `fd`; `buf` carries bytes already received past the
// previous request (pipelining).
std::optional<HttpRequest> read_request(int fd, std::string& buf) {
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > kMaxHeaderBytes || !receive_more(fd, buf)) return std::nullopt;
  }
  const std::string head = buf.substr(0, end + 2);
  buf.erase(0, end + 4);

  HttpRequest req;
  size_t pos = head.find("\r\n");
  const std::string_view request_line(head.data(), pos);
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return std::nullopt;
  req.method = request_line.substr(0, sp1);
  req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  req.version = request_line.substr(sp2 + 1);
  pos += 2;
  while (pos < head.size()) {
    const size_t eol = head.find("\r\n", pos);
    const std::string_view line(head.data() + pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }

  if (auto expect = req.header("Expect"); expect && starts_with_icase(*expect, "100-continue")) {
    if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return std::nullopt;
  }
  if (auto te = req.header("Transfer-Encoding"); te && iequals(*te, "chunked")) {
    req.chunked = true;
    if (!read_chunked(fd, buf, req.body)) return std::nullopt;
  } else if (auto cl = req.header("Content-Length")) {
    size_t length = 0;
    if (std::from_chars(cl->data(), cl->data() + cl->size(), length).ec != std::errc()) return std::nullopt;
    if (!receive_at_least(fd, buf, length)) return std::nullopt;
    req.body = buf.substr(0, length);
    buf.erase(0, length);
  }
  return req;
}

std::string response_head(const HttpAction& action, bool announce_length) {
  std::string out = "HTTP/1.1 " + std::to_string(action.status) + " " + reason_phrase(action.status) + "\r\n";
  bool has_length = false;
  for (const auto& h : action.headers) {
    if (iequals(h.name, "Content-Length")) has_length = true;
    out += h.name + ": " + h.value + "\r\n";
  }
  if (!has_length && announce_length) out += "Content-Length: " + std::to_string(action.body.size()) + "\r\n";
  out += "\r\n";
  return out;
}

bool wants_close(const http::Headers& headers) {
  auto c = http::find_header(headers, "Connection");
  return c && iequals(*c, "close");
}

}  // namespace

std::string HttpRequest::path() const { return target.substr(0, target.find('?')); }

std::string HttpRequest::query() const {
  const size_t q = target.find('?');
  return q == std::string::npos ? std::string() : target.substr(q + 1);
}

HttpAction HttpAction::respond(int status, std::string body, http::Headers headers) {
  HttpAction a;
  a.status = status;
  a.body = std::move(body);
  a.headers = std::move(headers);
  return a;
}

HttpAction HttpAction::close_connection() {
  HttpAction a;
  a.kind = Kind::close;
  return a;
}

HttpAction HttpAction::reset_connection() {
  HttpAction a;
  a.kind = Kind::reset;
  return a;
}

HttpAction HttpAction::truncate_body(int status, std::string body, size_t cut_after) {
  HttpAction a = respond(status, std::move(body));
  a.kind = Kind::truncate_body;
  a.cut_after = cut_after;
  return a;
}

HttpAction HttpAction::reset_mid_body(int status, std::string body, size_t cut_after) {
  HttpAction a = truncate_body(status, std::move(body), cut_after);
  a.kind = Kind::reset_mid_body;
  return a;
}

HttpAction& HttpAction::after(std::chrono::milliseconds d) {
  delay = d;
  return *this;
}

HttpAction& HttpAction::trickle(size_t bytes, std::chrono::milliseconds interval) {
  trickle_bytes = bytes;
  trickle_interval = interval;
  return *this;
}

HttpAction& HttpAction::header(std::string name, std::string value) {
  headers.push_back({std::move(name), std::move(value)});
  return *this;
}

LocalHttpServer::LocalHttpServer(HttpHandler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("LocalHttpServer: socket() failed");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the OS picks a free port
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(std::string("LocalHttpServer: cannot listen on 127.0.0.1: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(listen_fd_);
    throw std::runtime_error("LocalHttpServer: eventfd() failed");
  }
  accept_thread_ = std::thread([this] { accept_loop(); });
}

LocalHttpServer::~LocalHttpServer() { stop(); }

std::string LocalHttpServer::host_port() const { return "127.0.0.1:" + std::to_string(port_); }
std::string LocalHttpServer::url() const { return "http://" + host_port(); }

void LocalHttpServer::set_handler(HttpHandler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<HttpRequest> LocalHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t LocalHttpServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

size_t LocalHttpServer::connection_count() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

void LocalHttpServer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  accept_thread_.join();  // no new connection threads after this

  std::list<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    // Wakes every recv/send blocked on a connection; the owning thread
    // closes its socket itself, so no descriptor is closed twice.
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void LocalHttpServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    // Answers go out in several writes (head, body, trickle pieces): without
    // TCP_NODELAY each would wait on the client's delayed ACK (40 ms).
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const size_t index = connections_++;
    open_fds_.insert(fd);
    threads_.emplace_back([this, fd, index] { serve(fd, index); });
  }
}

bool LocalHttpServer::wait_unless_stopping(std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds(0)) return true;
  std::unique_lock lock(mutex_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_; });
}

void LocalHttpServer::finish(int fd, bool reset) {
  std::lock_guard lock(mutex_);
  open_fds_.erase(fd);
  if (reset) {
    // SO_LINGER with timeout 0: close() sends RST instead of FIN.
    const linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  ::close(fd);
}

void LocalHttpServer::serve(int fd, size_t connection) {
  std::string buf;
  bool reset = false;
  for (;;) {
    auto req = read_request(fd, buf);
    if (!req) break;
    req->connection = connection;
    HttpHandler handler;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      requests_.push_back(*req);
      handler = handler_;
    }
    const HttpAction action = handler ? handler(*req) : HttpAction::respond(200);
    if (!wait_unless_stopping(action.delay)) break;

    using Kind = HttpAction::Kind;
    if (action.kind == Kind::close) break;
    if (action.kind == Kind::reset) {
      reset = true;
      break;
    }
    const bool is_head = req->method == "HEAD";
    const bool bodiless_status = action.status < 200 || action.status == 204 || action.status == 304;
    if (!send_all(fd, response_head(action, !bodiless_status))) break;
    std::string_view body = (is_head || bodiless_status) ? std::string_view() : std::string_view(action.body);
    const bool cut = action.kind == Kind::truncate_body || action.kind == Kind::reset_mid_body;
    if (cut) body = body.substr(0, std::min(action.cut_after, body.size()));

    bool sent = true;
    if (action.trickle_bytes > 0) {
      while (sent && !body.empty()) {
        if (!wait_unless_stopping(action.trickle_interval)) {
          sent = false;
          break;
        }
        const size_t n = std::min(action.trickle_bytes, body.size());
        sent = send_all(fd, body.substr(0, n));
        body.remove_prefix(n);
      }
    } else {
      sent = send_all(fd, body);
    }
    if (!sent) break;
    if (cut) {
      reset = action.kind == Kind::reset_mid_body;
      break;
    }
    if (wants_close(req->headers) || wants_close(action.headers)) break;
  }
  finish(fd, reset);
}

}  // namespace s5j::testing
