#include "fault/proxy_wire.h"

#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "base/strings.h"

namespace s5j::testing::proxy_wire {
namespace {

constexpr size_t kMaxHeadBytes = 256 * 1024;
constexpr size_t kMaxLineBytes = 64 * 1024;
constexpr size_t kReceiveChunk = 64 * 1024;

int to_poll_ms(std::chrono::milliseconds d) {
  return static_cast<int>(std::clamp<int64_t>(d.count(), 0, 24 * 3600 * 1000));
}

// Waits for `events` on `fd` (or, with fd < 0, only for the timeout); false
// on stop, timeout or a poll error. POLLHUP/POLLERR count as ready: the
// following recv/send reports them.
bool wait_ready(const IoLimits& io, int fd, short events, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{io.stop_fd, POLLIN, 0}, {fd, events, 0}};
  const nfds_t count = fd >= 0 ? 2 : 1;
  for (;;) {
    const int n = ::poll(fds, count, to_poll_ms(timeout));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (fds[0].revents != 0) return false;
    return fd >= 0 && fds[1].revents != 0;
  }
}

// Returns the line at the start of `s.pending` without its CRLF, consuming it.
std::optional<std::string> take_line(const IoLimits& io, Stream& s) {
  size_t end;
  size_t searched = 0;
  while ((end = s.pending.find("\r\n", searched)) == std::string::npos) {
    searched = s.pending.empty() ? 0 : s.pending.size() - 1;
    if (s.pending.size() > kMaxLineBytes || !receive_more(io, s)) return std::nullopt;
  }
  std::string line = s.pending.substr(0, end);
  s.pending.erase(0, end + 2);
  return line;
}

std::optional<MessageHead> read_head(const IoLimits& io, Stream& from) {
  // Tolerate empty lines before a request (RFC 9112 section 2.2).
  for (size_t guard = 0; guard < 8; ++guard) {
    while (from.pending.size() < 2)
      if (!receive_more(io, from)) return std::nullopt;
    if (from.pending.compare(0, 2, "\r\n") != 0) break;
    from.pending.erase(0, 2);
  }
  size_t end;
  size_t searched = 0;
  while ((end = from.pending.find("\r\n\r\n", searched)) == std::string::npos) {
    searched = from.pending.size() < 3 ? 0 : from.pending.size() - 3;
    if (from.pending.size() > kMaxHeadBytes || !receive_more(io, from)) return std::nullopt;
  }
  MessageHead head;
  head.raw = from.pending.substr(0, end + 4);
  from.pending.erase(0, end + 4);

  const std::string_view raw(head.raw);
  size_t pos = raw.find("\r\n");
  const std::string_view first = raw.substr(0, pos);
  const size_t sp1 = first.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  const size_t sp2 = first.find(' ', sp1 + 1);
  head.method = first.substr(0, sp1);  // or the version of a status line
  head.target = first.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
  head.version = sp2 == std::string_view::npos ? std::string() : std::string(first.substr(sp2 + 1));
  pos += 2;
  while (pos + 2 < raw.size()) {
    const size_t eol = raw.find("\r\n", pos);
    const std::string_view line = raw.substr(pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    head.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  return head;
}

std::optional<uint64_t> parse_u64(std::string_view text, int base = 10) {
  uint64_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_chunked(const MessageHead& head) {
  auto te = head.header("Transfer-Encoding");
  if (!te) return false;
  std::string_view v = trim(*te);
  const size_t comma = v.rfind(',');
  if (comma != std::string_view::npos) v = trim(v.substr(comma + 1));
  return iequals(v, "chunked");
}

std::optional<BodyFraming> framing_from_headers(const MessageHead& head, bool response) {
  if (is_chunked(head)) return BodyFraming{Framing::chunked, 0};
  std::optional<uint64_t> length;
  for (const auto& h : head.headers) {
    if (!iequals(h.name, "Content-Length")) continue;
    auto v = parse_u64(trim(h.value));
    if (!v || (length && *length != *v)) return std::nullopt;
    length = v;
  }
  if (length) return BodyFraming{Framing::length, *length};
  return BodyFraming{response ? Framing::until_close : Framing::none, 0};
}

// Moves body bytes from one stream to the other, applying the fault.
class BodyRelay {
 public:
  BodyRelay(const IoLimits& io, Stream& from, Stream& to, const BodyFault& fault)
      : io_(io), from_(from), to_(to), fault_(fault) {}

  // Moves `n` body bytes, or everything up to EOF when `until_eof`; `last`
  // when these bytes end the body. nullopt: done so far, carry on.
  std::optional<RelayEnd> move(uint64_t n, bool until_eof, bool last) {
    while (until_eof || n > 0) {
      if (from_.pending.empty() && !receive_more(io_, from_)) {
        if (!until_eof) return RelayEnd::source_failed;
        settle(false);
        return RelayEnd::complete;
      }
      size_t take = until_eof ? from_.pending.size() : static_cast<size_t>(std::min<uint64_t>(n, from_.pending.size()));
      if (fault_.flip_at && *fault_.flip_at >= offset_ && *fault_.flip_at - offset_ < take) {
        from_.pending[*fault_.flip_at - offset_] ^= 0x01;
        outcome_.flipped = true;
        settle(true);
      }
      bool cut = false;
      if (fault_.cut_after && offset_ + take >= *fault_.cut_after) {
        take = static_cast<size_t>(*fault_.cut_after - offset_);
        cut = true;
        settle(true);
      }
      if (last && !until_eof && take == n) settle(false);  // the body ends with this piece
      if (!send(std::string_view(from_.pending).substr(0, take))) return RelayEnd::sink_failed;
      from_.pending.erase(0, take);
      offset_ += take;
      outcome_.body_bytes += take;
      if (!until_eof) n -= take;
      if (cut) return RelayEnd::cut;
    }
    return std::nullopt;
  }

  // Reports once whether the fault applies (see BodyFault::on_settled).
  void settle(bool applied) {
    if (settled_ || (!fault_.flip_at && !fault_.cut_after)) return;
    settled_ = true;
    if (fault_.on_settled) fault_.on_settled(applied);
  }

  std::optional<RelayEnd> forward_framing(std::string_view raw) {
    if (!send_all(io_, to_, raw)) return RelayEnd::sink_failed;
    return std::nullopt;
  }

  RelayEnd chunked() {
    // Each round consumes at least one line from the sender, so the loop is
    // bounded by the body; every wait inside is bounded by IoLimits.
    for (;;) {
      auto line = take_line(io_, from_);
      if (!line) return RelayEnd::source_failed;
      const std::string_view size_text = trim(std::string_view(*line).substr(0, line->find(';')));
      auto size = parse_u64(size_text, 16);
      if (!size) return RelayEnd::source_failed;
      if (*size == 0) settle(false);  // the last-chunk line ends the data
      if (auto end = forward_framing(*line + "\r\n")) return *end;
      if (*size == 0) {
        for (;;) {  // trailers up to the empty line
          auto trailer = take_line(io_, from_);
          if (!trailer) return RelayEnd::source_failed;
          if (auto end = forward_framing(*trailer + "\r\n")) return *end;
          if (trailer->empty()) return RelayEnd::complete;
        }
      }
      if (auto end = move(*size, false, false)) return *end;
      while (from_.pending.size() < 2)
        if (!receive_more(io_, from_)) return RelayEnd::source_failed;
      if (from_.pending.compare(0, 2, "\r\n") != 0) return RelayEnd::source_failed;
      from_.pending.erase(0, 2);
      if (auto end = forward_framing("\r\n")) return *end;
    }
  }

  RelayOutcome& outcome() { return outcome_; }

 private:
  bool send(std::string_view data) {
    if (fault_.trickle_bytes > 0) return send_trickled(io_, to_, data, fault_.trickle_bytes, fault_.trickle_interval);
    return send_all(io_, to_, data);
  }

  const IoLimits& io_;
  Stream& from_;
  Stream& to_;
  const BodyFault& fault_;
  uint64_t offset_ = 0;
  bool settled_ = false;
  RelayOutcome outcome_;
};

}  // namespace

bool send_all(const IoLimits& io, Stream& to, std::string_view data) {
  // Counted before sending (and taken back if it fails) so the counter is
  // never behind what the peer has already received.
  if (to.bytes_sent != nullptr) to.bytes_sent->fetch_add(data.size());
  while (!data.empty()) {
    // MSG_NOSIGNAL: a peer that hung up must not kill the process with SIGPIPE.
    const ssize_t n = ::send(to.fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_ready(io, to.fd, POLLOUT, io.timeout)) continue;
    if (to.bytes_sent != nullptr) to.bytes_sent->fetch_sub(data.size());
    return false;
  }
  return true;
}

bool send_trickled(const IoLimits& io, Stream& to, std::string_view data, size_t piece,
                   std::chrono::milliseconds interval) {
  piece = std::max<size_t>(piece, 1);
  while (!data.empty()) {
    if (!pause(io, interval)) return false;
    const size_t n = std::min(piece, data.size());
    if (!send_all(io, to, data.substr(0, n))) return false;
    data.remove_prefix(n);
  }
  return true;
}

bool receive_more(const IoLimits& io, Stream& s) {
  char chunk[kReceiveChunk];
  for (;;) {
    const ssize_t n = ::recv(s.fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      s.pending.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    if (!wait_ready(io, s.fd, POLLIN, io.timeout)) return false;
  }
}

bool pause(const IoLimits& io, std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds(0)) return true;
  pollfd stop{io.stop_fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + d;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) return true;
    const int n = ::poll(&stop, 1, to_poll_ms(left + std::chrono::milliseconds(1)));
    if (n > 0) return false;
    if (n < 0 && errno != EINTR) return false;
  }
}

bool pause_watching(const IoLimits& io, const Stream& watch, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) return true;
    pollfd fds[2] = {{io.stop_fd, POLLIN, 0}, {watch.fd, POLLIN | POLLRDHUP, 0}};
    const int n = ::poll(fds, 2, to_poll_ms(left + std::chrono::milliseconds(1)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[0].revents != 0) return false;
    if (n == 0) continue;
    // Readable: either the peer closed (hang-up) or it pipelined more data,
    // which stays queued for later.
    if (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) return false;
    char probe;
    if (::recv(watch.fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return false;
    // Pipelined data: stop polling the socket for readability, just wait.
    return pause(io, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  }
}

void drain_send_queue(const IoLimits& io, int fd) {
  // Loopback drains within microseconds unless the peer stopped reading;
  // give up after ~2 s either way.
  for (int i = 0; i < 2000; ++i) {
    int queued = 0;
    if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued == 0) return;
    if (!pause(io, std::chrono::milliseconds(1))) return;
  }
}

bool MessageHead::wants_close() const {
  auto c = header("Connection");
  if (c && iequals(trim(*c), "close")) return true;
  const std::string_view v = status != 0 ? std::string_view(method) : std::string_view(version);
  return v == "HTTP/1.0" && !(c && iequals(trim(*c), "keep-alive"));
}

std::optional<MessageHead> read_request_head(const IoLimits& io, Stream& from) {
  auto head = read_head(io, from);
  if (!head || head->version.rfind("HTTP/1.", 0) != 0) return std::nullopt;
  return head;
}

std::optional<MessageHead> read_response_head(const IoLimits& io, Stream& from) {
  auto head = read_head(io, from);
  if (!head || head->method.rfind("HTTP/1.", 0) != 0) return std::nullopt;
  auto status = parse_u64(head->target);
  if (!status || *status < 100 || *status > 999) return std::nullopt;
  head->status = static_cast<int>(*status);
  return head;
}

std::optional<BodyFraming> request_framing(const MessageHead& head) { return framing_from_headers(head, false); }

std::optional<BodyFraming> response_framing(const MessageHead& head, std::string_view request_method) {
  if (request_method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304)
    return BodyFraming{Framing::none, 0};
  return framing_from_headers(head, true);
}

RelayOutcome relay_body(const IoLimits& io, Stream& from, Stream& to, const BodyFraming& framing,
                        const BodyFault& fault) {
  BodyRelay relay(io, from, to, fault);
  RelayEnd end = RelayEnd::complete;
  switch (framing.kind) {
    case Framing::none:
      break;
    case Framing::length:
      end = relay.move(framing.length, false, true).value_or(RelayEnd::complete);
      break;
    case Framing::until_close:
      end = relay.move(0, true, true).value_or(RelayEnd::complete);
      break;
    case Framing::chunked:
      end = relay.chunked();
      break;
  }
  relay.outcome().end = end;
  return relay.outcome();
}

bool discard_body(const IoLimits& io, Stream& from, const BodyFraming& framing) {
  switch (framing.kind) {
    case Framing::none:
      return true;
    case Framing::length: {
      uint64_t left = framing.length;
      while (left > 0) {
        if (from.pending.empty() && !receive_more(io, from)) return false;
        const size_t take = static_cast<size_t>(std::min<uint64_t>(left, from.pending.size()));
        from.pending.erase(0, take);
        left -= take;
      }
      return true;
    }
    case Framing::until_close:
      while (receive_more(io, from)) from.pending.clear();
      return true;
    case Framing::chunked:
      for (;;) {
        auto line = take_line(io, from);
        if (!line) return false;
        auto size = parse_u64(trim(std::string_view(*line).substr(0, line->find(';'))), 16);
        if (!size) return false;
        if (*size == 0) {
          for (;;) {
            auto trailer = take_line(io, from);
            if (!trailer) return false;
            if (trailer->empty()) return true;
          }
        }
        if (!discard_body(io, from, BodyFraming{Framing::length, *size + 2})) return false;
      }
  }
  return false;
}

}  // namespace s5j::testing::proxy_wire
