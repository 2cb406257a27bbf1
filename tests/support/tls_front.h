// A real TLS front for a plain-HTTP gateway: socat terminating TLS with a
// certificate made by openssl at test time, so tests can run s5j over
// https against RGW (certificate failures, proxies that tunnel TLS).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "support/process.h"

namespace s5j::testing {

// A CA and leaf certificates signed by it, as PEM files in `dir`
// (NAME.pem, NAME.key). Each call fails the calling test if openssl does.
struct Pki {
  std::string dir;
  void make_ca(const std::string& name);
  // Leaf `name` for `san` ("IP:127.0.0.1", "DNS:wrong.example", or both
  // joined by a comma) signed by `ca`.
  void make_leaf(const std::string& name, const std::string& san, const std::string& ca);
  std::string pem(const std::string& name) const { return dir + "/" + name + ".pem"; }
};

// True when something accepts TCP connections on `address`:`port` now.
bool accepts_connections(uint16_t port, const std::string& address = "127.0.0.1");

// socat listening with TLS on a free port of 127.0.0.1, certificate
// `pki.pem(cert)`, forwarding each connection in plain TCP to `upstream`
// ("http://HOST:PORT" or "HOST:PORT"). Ready (or failed) when constructed;
// killed when destroyed. With `log_connections`, socat writes a line per
// accepted connection naming the client's address to its stderr file
// (`connection_log()`).
class TlsFront {
 public:
  TlsFront(const Pki& pki, const std::string& cert, const std::string& upstream, bool log_connections = false);
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  bool up() const { return accepts_connections(port_); }
  std::string connection_log() const;

 private:
  uint16_t port_;
  std::string err_path_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace s5j::testing
