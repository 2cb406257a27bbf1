#include "http/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace s5j::http {
namespace {

std::unexpected<std::string> bad_address(std::string_view text, std::string_view why) {
  return std::unexpected("listen address '" + std::string(text) + "' " + std::string(why) +
                         ": give HOST:PORT with an IP address, e.g. 127.0.0.1:9464 or [::1]:9464");
}

}  // namespace

std::string ListenAddress::to_string() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool ListenAddress::loopback() const {
  if (ipv6) {
    in6_addr a{};
    return ::inet_pton(AF_INET6, host.c_str(), &a) == 1 && IN6_IS_ADDR_LOOPBACK(&a);
  }
  in_addr a{};
  return ::inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

std::expected<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad_address(text, "has no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    return bad_address(text, "has no valid port (0-65535)");

  ListenAddress address;
  address.port = static_cast<uint16_t>(port);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    address.host = std::string(host.substr(1, host.size() - 2));
    address.ipv6 = true;
    in6_addr a{};
    if (::inet_pton(AF_INET6, address.host.c_str(), &a) != 1)
      return bad_address(text, "has no valid IPv6 address in brackets");
    return address;
  }
  if (host == "localhost") host = "127.0.0.1";
  address.host = std::string(host);
  in_addr a{};
  if (host.empty() || ::inet_pton(AF_INET, address.host.c_str(), &a) != 1)
    return bad_address(text, "does not start with an IP address (or localhost)");
  return address;
}

}  // namespace s5j::http
