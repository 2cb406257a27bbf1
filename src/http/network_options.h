// Per-side network settings (config keys under source/destination).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace s5j::http {

struct NetworkOptions {
  std::string ca_bundle;          // PEM file to trust (e.g. a Snowball's self-signed cert); empty = system store
  bool insecure_skip_verify = false;  // never by default; warns loudly when set
  std::string proxy;              // "http://host:port"; empty = none (libcurl honours no env proxy then)
  std::string bind_interface;     // interface name ("eth1") or local address to send from
  std::chrono::milliseconds connect_timeout{10'000};
  // Abort a transfer slower than low_speed_bytes_per_sec for low_speed_time.
  uint64_t low_speed_bytes_per_sec = 1024;
  std::chrono::seconds low_speed_time{60};
  uint64_t max_bytes_per_sec = 0;  // bandwidth cap shared by all requests of this side; 0 = none
};

}  // namespace s5j::http
