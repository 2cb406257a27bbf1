// Real proxies for the proxy tests, each started with a config of its own
// in a directory of the test, on a free loopback port, whether the suite
// runs as root (CI) or as a normal user:
//   SquidProxy  HTTP CONNECT (squid), basic auth against a password file
//               checked by Debian's basic_ncsa_auth;
//   DanteProxy  SOCKS5 (danted), username auth. Dante checks a username
//               against the system's password database; the test's user
//               lives in a passwd/shadow pair of the test's own that
//               nss_wrapper (LD_PRELOAD) puts in front of danted alone, so
//               no system account is created and root is not needed.
// Each writes an access log naming every client connection and the
// destination it asked for, which tests read to see that traffic really
// went through the proxy. Stopped (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "support/process.h"

namespace s5j::testing {

struct ProxyUser {
  std::string name;
  std::string password;
};

class SquidProxy {
 public:
  // Starts squid in `dir` (created; handed to squid's user when root);
  // ready (or failed: up() says) when constructed.
  SquidProxy(const std::string& dir, ProxyUser user);
  ~SquidProxy();
  SquidProxy(const SquidProxy&) = delete;
  SquidProxy& operator=(const SquidProxy&) = delete;

  bool up() const;
  uint16_t port() const { return port_; }
  // "http://USER:PASSWORD@127.0.0.1:PORT" with `password` (the right one
  // or not); without credentials when `password` is empty.
  std::string url(const std::string& password) const;
  std::string access_log() const;  // one line per request: "... CLIENT TCP_TUNNEL/200 ... CONNECT HOST:PORT USER ..."
  std::string diagnostics() const;  // squid's own log, for a failing assertion's message
  void stop();  // SIGTERM and wait (bounded), then SIGKILL

 private:
  std::string dir_;
  ProxyUser user_;
  uint16_t port_;
  std::unique_ptr<BackgroundProcess> process_;
};

class DanteProxy {
 public:
  DanteProxy(const std::string& dir, ProxyUser user);
  ~DanteProxy();
  DanteProxy(const DanteProxy&) = delete;
  DanteProxy& operator=(const DanteProxy&) = delete;

  bool up() const;
  uint16_t port() const { return port_; }
  // "SCHEME://USER:PASSWORD@127.0.0.1:PORT" (scheme socks5 or socks5h).
  std::string url(const std::string& scheme, const std::string& password) const;
  // danted's log: "pass(1): tcp/connect [: username%USER@CLIENT.PORT ... -> ... DEST.PORT"
  // for each connection made, "block(1): ... authentication failed" for each refused.
  std::string access_log() const;
  void stop();

 private:
  std::string dir_;
  ProxyUser user_;
  uint16_t port_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace s5j::testing
