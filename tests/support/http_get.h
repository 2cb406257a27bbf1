// A minimal HTTP/1.0 GET over a plain loopback socket, for tests of what
// s5j serves (`--metrics-addr`, `status --serve`), whatever proxy the
// environment names. Blocking; times out after a few seconds.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace s5j::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, timed out)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// A TCP port free on 127.0.0.1 now (the system's pick for port 0), for a
// server a test starts.
uint16_t free_loopback_port();

HttpAnswer http_get(const std::string& host, uint16_t port, const std::string& target,
                    const std::map<std::string, std::string>& headers = {}, const std::string& method = "GET");

}  // namespace s5j::testing
