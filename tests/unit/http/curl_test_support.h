// What the CurlTransport tests (tests/unit/http/curl_transport*_test.cpp)
// share: options that make a hung transfer fail fast, request and payload
// makers, a port nothing listens on.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "http/network_options.h"
#include "http/transport.h"

namespace s5j::http {

// Options that make a hung transfer fail within seconds instead of hanging
// the test run (a real failure still shows as a wrong error code).
inline NetworkOptions test_options() {
  NetworkOptions o;
  o.connect_timeout = std::chrono::seconds(5);
  o.low_speed_bytes_per_sec = 1;
  o.low_speed_time = std::chrono::seconds(10);
  return o;
}

inline Request get(std::string url) {
  Request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

inline std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

// A loopback port with nothing listening on it.
inline uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // bound but never listening: connections are refused
  return ntohs(addr.sin_port);
}

inline bool is_retryable_drop(const Error& e) {
  return e.retryable() && (e.code == "ConnectionReset" || e.code == "RecvFailed");
}

}  // namespace s5j::http
