// One client connection of the FaultProxy: read a request, decide, then
// forward it (possibly breaking the body or the answer on the way) or answer
// it ourselves; repeat while both sides keep the connection alive.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "base/strings.h"
#include "fault/fault_proxy.h"
#include "fault/proxy_wire.h"

namespace s5j::testing {
namespace {

using namespace proxy_wire;

// Cut and flip positions for bodies of unknown length (chunked, or until
// close) are drawn below this; a shorter body means the fault did not apply.
constexpr uint64_t kUnknownLengthSpan = 64 * 1024;

struct S3ErrorSpec {
  int status;
  std::string_view reason;
  std::string_view code;
  std::string_view message;
};

S3ErrorSpec error_for(FaultKind kind) {
  switch (kind) {
    case FaultKind::status_500:
      return {500, "Internal Server Error", "InternalError", "We encountered an internal error. Please try again."};
    case FaultKind::status_429:
      return {429, "Too Many Requests", "TooManyRequests", "Too many requests. Please slow down."};
    case FaultKind::not_implemented:
      return {501, "Not Implemented", "NotImplemented",
              "A header you provided implies functionality that is not implemented"};
    case FaultKind::request_timeout:
      return {400, "Bad Request", "RequestTimeout",
              "Your socket connection to the server was not read from or written to within the timeout period. "
              "Idle connections will be closed."};
    default:
      return {503, "Slow Down", "SlowDown", "Please reduce your request rate."};
  }
}

std::string format_http_date_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[64];
  const size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);  // "C" locale names
  return std::string(text, n);
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A complete S3 error answer as RGW and AWS send it.
std::string s3_error_response(const S3ErrorSpec& e, std::string_view resource, uint64_t id, bool head_request,
                              bool close) {
  char request_id[32];
  std::snprintf(request_id, sizeof request_id, "s5jfault%016llx", static_cast<unsigned long long>(id));
  const std::string body = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>") +
                           std::string(e.code) + "</Code><Message>" + std::string(e.message) +
                           "</Message><Resource>" + xml_escape(resource) + "</Resource><RequestId>" + request_id +
                           "</RequestId></Error>";
  std::string out = "HTTP/1.1 " + std::to_string(e.status) + " " + std::string(e.reason) + "\r\n";
  out += "Content-Type: application/xml\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += std::string("x-amz-request-id: ") + request_id + "\r\n";
  out += "Date: " + format_http_date_now() + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head_request) out += body;  // HEAD: the length is announced, no body sent
  return out;
}

bool expects_continue(const MessageHead& request) {
  auto e = request.header("Expect");
  return e && starts_with_icase(trim(*e), "100-continue");
}

void set_nodelay(int fd) {
  // Heads, bodies and trickle pieces go out in separate writes; without
  // TCP_NODELAY each would wait for the peer's delayed ACK.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

class ConnectionServer {
 public:
  ConnectionServer(FaultProxy& proxy, FaultProxy::Connection& connection)
      : proxy_(proxy),
        connection_(connection),
        counters_(proxy.counters_),
        io_{proxy.stop_fd_, proxy.options_.io_timeout},
        client_{connection.client_fd, {}, &proxy.counters_.bytes_to_client},
        upstream_{-1, {}, &proxy.counters_.bytes_to_upstream} {}

  void run() {
    set_nodelay(client_.fd);
    Next next = Next::keep_alive;
    // Each round needs a new request head within io_timeout, and stop()
    // interrupts every wait, so the loop ends.
    while (next == Next::keep_alive) {
      auto request = read_request_head(io_, client_);
      if (!request) break;
      counters_.requests_seen.fetch_add(1);
      next = exchange(*request);
    }
    drop_upstream();
    finish(next == Next::reset);
  }

 private:
  enum class Next { keep_alive, close, reset };

  Next exchange(const MessageHead& request) {
    auto framing = request_framing(request);
    if (!framing) return Next::close;  // unframeable body: nothing sane to forward
    std::vector<std::string> header_names;
    for (const auto& h : request.headers) header_names.push_back(to_lower(h.name));
    auto verdict = proxy_.decide(request.method, request.target, request.header("x-amz-copy-source").has_value(),
                                 std::move(header_names));
    if (verdict.throttled) {
      counters_.throttled.fetch_add(1);
      counters_.requests_faulted.fetch_add(1);
      return answer(request, *framing, error_for(FaultKind::status_503));
    }
    if (!verdict.kind) return forward(request, *framing, verdict);
    switch (*verdict.kind) {
      case FaultKind::reset_before:
        proxy_.count_fault(FaultKind::reset_before);
        return Next::reset;
      case FaultKind::down:
        proxy_.count_fault(FaultKind::down);
        proxy_.go_down(verdict.plan.down_for);
        return Next::reset;
      case FaultKind::status_500:
      case FaultKind::status_503:
      case FaultKind::status_429:
      case FaultKind::request_timeout:
      case FaultKind::not_implemented:
        proxy_.count_fault(*verdict.kind);
        return answer(request, *framing, error_for(*verdict.kind));
      default:
        return forward(request, *framing, verdict);
    }
  }

  // The proxy answers with an S3 error. The request body is read and thrown
  // away first so the connection can carry the next request; with
  // "Expect: 100-continue" the client never sends it, so close instead.
  Next answer(const MessageHead& request, const BodyFraming& framing, const S3ErrorSpec& error) {
    bool close = request.wants_close();
    if (framing.kind != Framing::none) {
      if (expects_continue(request)) {
        close = true;
      } else if (!discard_body(io_, client_, framing)) {
        return Next::close;
      }
    }
    const std::string path = request.target.substr(0, request.target.find('?'));
    const std::string response =
        s3_error_response(error, path, proxy_.request_ids_.fetch_add(1) + 1, request.method == "HEAD", close);
    if (!send_all(io_, client_, response)) return Next::close;
    return close ? Next::close : Next::keep_alive;
  }

  Next forward(const MessageHead& request, const BodyFraming& framing, const FaultProxy::Verdict& verdict) {
    if (!connect_upstream() || !send_all(io_, upstream_, request.raw)) return upstream_failed();
    counters_.requests_forwarded.fetch_add(1);

    std::optional<MessageHead> response;
    if (framing.kind != Framing::none && expects_continue(request)) {
      // The upstream decides whether the body may come: relay its 100, or
      // its final refusal (after which the body's fate is unknown: close).
      response = read_final_head(true);
      if (!response) return upstream_failed();
      if (response->status != 100) {
        Next next = relay_response(request, *response, FaultProxy::Verdict{});
        return next == Next::keep_alive ? Next::close : next;
      }
      if (!send_all(io_, client_, response->raw)) return client_gone();
      response.reset();
    }

    if (framing.kind != Framing::none || verdict.kind == FaultKind::flip_request_byte) {
      BodyFault fault;
      if (verdict.kind == FaultKind::flip_request_byte)
        arm(fault, fault.flip_at, FaultKind::flip_request_byte, verdict.param, framing);
      const RelayOutcome out = relay_body(io_, client_, upstream_, framing, fault);
      if (out.end == RelayEnd::source_failed) return client_gone();
      if (out.end != RelayEnd::complete) return upstream_failed();
    }

    response = read_final_head(false);
    if (!response) return upstream_failed();
    return relay_response(request, *response, verdict);
  }

  // Reads upstream heads up to the final one (or a 100 when
  // `stop_at_continue`), passing interim 1xx answers straight to the client;
  // bounded to a few of them. A 101 is returned (and refused by the caller).
  std::optional<MessageHead> read_final_head(bool stop_at_continue) {
    for (int i = 0; i < 16; ++i) {
      auto head = read_response_head(io_, upstream_);
      if (!head) return std::nullopt;
      if (head->status >= 200 || head->status == 101 || (stop_at_continue && head->status == 100)) return head;
      if (!send_all(io_, client_, head->raw)) return std::nullopt;
    }
    return std::nullopt;
  }

  Next relay_response(const MessageHead& request, const MessageHead& response, const FaultProxy::Verdict& verdict) {
    auto framing = response_framing(response, request.method);
    if (!framing || response.status == 101) return upstream_failed();
    const std::optional<FaultKind> kind = verdict.kind;
    const FaultPlan& plan = verdict.plan;

    BodyFault fault;
    if (kind == FaultKind::truncate || kind == FaultKind::reset_mid_body)
      arm(fault, fault.cut_after, *kind, verdict.param, *framing);
    if (kind == FaultKind::flip_byte) arm(fault, fault.flip_at, *kind, verdict.param, *framing);
    // Counted before anything is sent, so the client never sees the effect
    // of a fault before its counter.
    if (kind == FaultKind::reset_after_body) proxy_.count_fault(FaultKind::reset_after_body);
    if (kind == FaultKind::slow) {
      proxy_.count_fault(FaultKind::slow);
      fault.trickle_bytes = plan.slow_bytes;
      fault.trickle_interval = plan.slow_interval;
    }
    if (kind == FaultKind::delay_past_timeout) {
      // The upstream has done the work; its answer arrives late or never.
      proxy_.count_fault(FaultKind::delay_past_timeout);
      if (!pause_watching(io_, client_, plan.delay)) {
        drop_upstream();
        return Next::close;
      }
    }

    const bool head_sent = fault.trickle_bytes > 0
                               ? send_trickled(io_, client_, response.raw, fault.trickle_bytes, fault.trickle_interval)
                               : send_all(io_, client_, response.raw);
    if (!head_sent) return client_gone();
    const RelayOutcome out = relay_body(io_, upstream_, client_, *framing, fault);
    switch (out.end) {
      case RelayEnd::cut:
        drop_upstream();  // the rest of its body is unread
        return kind == FaultKind::truncate ? Next::close : Next::reset;
      case RelayEnd::source_failed:
        return upstream_failed();
      case RelayEnd::sink_failed:
        return client_gone();
      case RelayEnd::complete:
        break;
    }
    if (kind == FaultKind::reset_after_body) {
      // Let the whole answer reach the client before the RST, which would
      // otherwise discard what is still queued.
      drain_send_queue(io_, client_.fd);
      return Next::reset;
    }
    if (response.wants_close() || framing->kind == Framing::until_close || request.wants_close()) {
      drop_upstream();
      return Next::close;
    }
    return Next::keep_alive;
  }

  // Sets `where` (a cut or flip position) and counts the fault when the
  // relay settles whether it applied; a body with nothing in it counts as
  // not applicable at once.
  void arm(BodyFault& fault, std::optional<uint64_t>& where, FaultKind kind, uint64_t param,
           const BodyFraming& framing) {
    where = position(param, framing);
    if (!where) {
      not_applicable();
      return;
    }
    fault.on_settled = [this, kind](bool applied) { applied ? proxy_.count_fault(kind) : not_applicable(); };
  }

  // Where in a body a cut or flip lands: anywhere in a body of known length
  // (so a cut always leaves it short), below kUnknownLengthSpan otherwise.
  static std::optional<uint64_t> position(uint64_t param, const BodyFraming& framing) {
    switch (framing.kind) {
      case Framing::none:
        return std::nullopt;
      case Framing::length:
        if (framing.length == 0) return std::nullopt;
        return param % framing.length;
      default:
        return param % kUnknownLengthSpan;
    }
  }

  bool connect_upstream() {
    if (upstream_.fd >= 0) {
      // A kept-alive upstream connection may have been closed by the server
      // while idle: anything readable now is its EOF, so start afresh.
      pollfd p{upstream_.fd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) return true;
      drop_upstream();
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(proxy_.upstream_ip_);
    addr.sin_port = htons(proxy_.upstream_port_);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (errno != EINPROGRESS) {
        ::close(fd);
        return false;
      }
      pollfd fds[2] = {{fd, POLLOUT, 0}, {io_.stop_fd, POLLIN, 0}};
      int error = 0;
      socklen_t len = sizeof error;
      const int timeout_ms = static_cast<int>(std::min<int64_t>(io_.timeout.count(), 30'000));
      if (::poll(fds, 2, timeout_ms) <= 0 || fds[1].revents != 0 ||
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
        ::close(fd);
        return false;
      }
    }
    set_nodelay(fd);
    upstream_.fd = fd;
    upstream_.pending.clear();
    return true;
  }

  void drop_upstream() {
    if (upstream_.fd >= 0) ::close(upstream_.fd);
    upstream_.fd = -1;
    upstream_.pending.clear();
  }

  // The upstream refused, broke off or sent garbage: the client sees its
  // connection reset, as if it had talked to the upstream directly.
  Next upstream_failed() {
    counters_.upstream_failures.fetch_add(1);
    drop_upstream();
    return Next::reset;
  }

  Next client_gone() {
    drop_upstream();
    return Next::close;
  }

  void not_applicable() { counters_.not_applicable.fetch_add(1); }

  // Closes the client socket under the proxy's mutex, so go_down() never
  // shuts down a descriptor number that has been reused.
  void finish(bool reset) {
    std::lock_guard lock(proxy_.mutex_);
    if (reset) {
      // SO_LINGER with timeout 0: close() sends RST instead of FIN.
      const linger l{1, 0};
      ::setsockopt(client_.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(client_.fd);
    connection_.finished = true;
  }

  FaultProxy& proxy_;
  FaultProxy::Connection& connection_;
  FaultProxy::Counters& counters_;
  IoLimits io_;
  Stream client_;
  Stream upstream_;
};

void FaultProxy::serve(Connection& connection) { ConnectionServer(*this, connection).run(); }

}  // namespace s5j::testing
