// The HOST:PORT an s5j HTTP endpoint listens on (`--metrics-addr`,
// `metrics.listen`, `status --serve`): parsed once, with the one rule for
// "is this loopback" that decides whether `status --serve` needs a token.
//
// Accepted: IPv4 literals ("127.0.0.1:9464", "0.0.0.0:9464"), bracketed
// IPv6 literals ("[::1]:9464", "[::]:9464"), and "localhost:9464"
// (127.0.0.1). Port 0 asks the system for a free port (the server reports
// the one it got). Host names other than localhost are refused: the server
// binds to an address, and a name could resolve to one the operator did
// not mean to expose. Pure functions; config checks `metrics.listen` with
// the same parser the server uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <expected>

namespace s5j::http {

struct ListenAddress {
  std::string host;  // an IP literal, without brackets
  uint16_t port = 0;
  bool ipv6 = false;

  // "127.0.0.1:9464", "[::1]:9464"
  std::string to_string() const;
  // Only this machine can connect: 127.0.0.0/8 or ::1.
  bool loopback() const;
};

// The error is one line naming the value and the expected form
// ("listen address 'x' has no port: give HOST:PORT with an IP address, ...").
std::expected<ListenAddress, std::string> parse_listen_address(std::string_view text);

}  // namespace s5j::http
