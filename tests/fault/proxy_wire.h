// HTTP/1.1 wire helpers for the fault proxy: bounded socket I/O, message
// heads kept byte-exact, and body relaying that streams (never buffers a
// whole body) while applying a cut, a flipped bit or a trickle.
//
// Every blocking call polls its socket together with IoLimits::stop_fd (an
// eventfd that turns readable once, when the proxy stops) and gives up after
// IoLimits::timeout, so no proxy thread can hang.
//
// Thread safety: none inside; a Stream belongs to one connection thread.
// Failure: functions return false / nullopt / a RelayEnd; they never throw.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/transport.h"

namespace s5j::testing::proxy_wire {

struct IoLimits {
  int stop_fd = -1;
  std::chrono::milliseconds timeout{120'000};  // per wait for the peer
};

// One side of an exchange. Does not own `fd`.
struct Stream {
  int fd = -1;
  std::string pending;                          // received, not yet consumed
  std::atomic<uint64_t>* bytes_sent = nullptr;  // counts bytes sent (before sending); may be null
};

bool send_all(const IoLimits& io, Stream& to, std::string_view data);
// Sends `data` in pieces of `piece` bytes, pausing `interval` before each.
bool send_trickled(const IoLimits& io, Stream& to, std::string_view data, size_t piece,
                   std::chrono::milliseconds interval);
// Appends what the socket has to `s.pending`; false on EOF, error, timeout or stop.
bool receive_more(const IoLimits& io, Stream& s);
// Waits `d`; false when the proxy is stopping.
bool pause(const IoLimits& io, std::chrono::milliseconds d);
// Waits `d`; false when stopping or when the peer of `watch` hung up meanwhile.
bool pause_watching(const IoLimits& io, const Stream& watch, std::chrono::milliseconds d);
// Waits (bounded) until the kernel has sent everything queued on `fd`, so a
// following RST does not destroy an answer still in flight.
void drain_send_queue(const IoLimits& io, int fd);

struct MessageHead {
  std::string raw;  // the head exactly as received, final CRLF CRLF included
  // Request line, or status line ("HTTP/1.1", status, reason).
  std::string method;
  std::string target;
  std::string version;
  int status = 0;
  http::Headers headers;

  std::optional<std::string_view> header(std::string_view name) const { return http::find_header(headers, name); }
  bool wants_close() const;  // "Connection: close", or HTTP/1.0 without keep-alive
};

// nullopt on EOF, error, timeout, stop, an over-long or malformed head.
std::optional<MessageHead> read_request_head(const IoLimits& io, Stream& from);
std::optional<MessageHead> read_response_head(const IoLimits& io, Stream& from);

enum class Framing { none, length, chunked, until_close };
struct BodyFraming {
  Framing kind = Framing::none;
  uint64_t length = 0;  // Framing::length only
};
// nullopt when the framing headers are malformed (bad Content-Length).
std::optional<BodyFraming> request_framing(const MessageHead& head);
std::optional<BodyFraming> response_framing(const MessageHead& head, std::string_view request_method);

// What to do to a body on its way through. Offsets count body (payload)
// bytes, not chunk framing.
struct BodyFault {
  std::optional<uint64_t> cut_after;  // relay only this many body bytes, then stop
  std::optional<uint64_t> flip_at;    // flip the lowest bit of the byte at this offset
  size_t trickle_bytes = 0;           // > 0: send in pieces of this size...
  std::chrono::milliseconds trickle_interval{0};  // ...pausing this long before each
  // Called at most once, as soon as it is known whether the cut or flip
  // happens (true) or the body is too short for it (false), and before the
  // bytes that let the receiver notice are sent, so a counter updated here
  // is current by the time the receiver has its answer (for a body that
  // ends at EOF: before the caller closes). Not called when the relay fails
  // before it is known.
  std::function<void(bool applied)> on_settled;
};

enum class RelayEnd {
  complete,       // the whole body went through
  cut,            // stopped at BodyFault::cut_after (the caller breaks the connection)
  source_failed,  // the sender hung up, timed out or sent garbage
  sink_failed,    // the receiver hung up or timed out
};
struct RelayOutcome {
  RelayEnd end = RelayEnd::complete;
  bool flipped = false;     // BodyFault::flip_at was inside the body
  uint64_t body_bytes = 0;  // body bytes sent on
};

// Streams one body from `from` to `to` (chunk framing forwarded unchanged).
RelayOutcome relay_body(const IoLimits& io, Stream& from, Stream& to, const BodyFraming& framing,
                        const BodyFault& fault = {});
// Reads one body and throws it away; false when it could not be read whole.
bool discard_body(const IoLimits& io, Stream& from, const BodyFraming& framing);

}  // namespace s5j::testing::proxy_wire
