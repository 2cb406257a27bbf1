// FaultProxy: a fault-injecting HTTP/1.1 reverse proxy for tests, put
// between s5j and a real S3 server (Ceph RGW) on loopback.
//
//   FaultProxy proxy({.upstream = "http://127.0.0.1:17480"});
//   client endpoint = proxy.url();              // "http://127.0.0.1:PORT"
//   FaultPlan plan{.seed = 7, .rate = 0.05, .kinds = {FaultKind::truncate}};
//   proxy.set_plan(plan);                       // from the next request on
//   ... run the client ...
//   proxy.counters().faulted(FaultKind::truncate);
//
// Forwarding: each client connection gets its own upstream connection, both
// kept alive across requests. Request and response heads are forwarded
// byte for byte (the client's Host header unchanged, so a SigV4 signature
// made for the proxy's host:port verifies at an upstream that checks the Host
// it receives, as RGW does); bodies are streamed both ways in 64 KiB pieces,
// never buffered whole, with their Content-Length or chunk framing intact.
// "Expect: 100-continue" is honoured end to end.
//
// Faults: per request, the plan's filter decides eligibility, then
// decide_fault(seed, n) for the n-th eligible request picks a kind or none
// (see fault_plan.h for reproducibility and every kind). A ThrottleWindow
// answers 503 SlowDown to a fraction of requests for a time. go_down()
// closes the listener (connections are refused, open ones are closed) for a
// window. Answers made by the proxy itself are S3 XML errors; a request body
// is read and discarded first so the connection stays usable.
//
// Loopback only: the listen address and the upstream must be literal IPv4
// addresses in 127.0.0.0/8 and the upstream plain http; anything else is
// refused by the constructor.
//
// Thread safety: every public method may be called from any thread, also
// while requests are in flight. Each connection is served by its own thread.
//
// Failure: the constructor throws std::invalid_argument for a bad or
// non-loopback address, std::runtime_error when it cannot listen (tests
// only). An upstream that cannot be reached or breaks off is mirrored to the
// client as a reset connection (counted in upstream_failures).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fault/fault_counters.h"
#include "fault/fault_plan.h"

namespace s5j::testing {

struct FaultProxyOptions {
  std::string listen = "127.0.0.1:0";  // port 0: the OS picks one
  std::string upstream;                // "http://127.0.0.1:17480"
  FaultPlan plan;                      // initial plan; the default faults nothing
  // Limit of any single wait on a peer; an idle keep-alive client is
  // disconnected after this long.
  std::chrono::milliseconds io_timeout{120'000};
};

// One eligible request and what the plan decided for it.
struct FaultRecord {
  uint64_t index = 0;  // n-th eligible request since set_plan()
  std::string method;
  std::string target;
  std::optional<FaultKind> kind;  // nullopt: forwarded untouched
};

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyOptions options);
  ~FaultProxy();  // stop()
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return port_; }
  std::string host_port() const;  // "127.0.0.1:PORT"
  std::string url() const;        // "http://127.0.0.1:PORT"

  // Replaces the plan for requests whose head arrives from now on and
  // restarts its sequence (index 0, max_faults budget full, record cleared).
  void set_plan(FaultPlan plan);
  FaultPlan plan() const;

  // Starts sustained throttling (replacing any running window); stop early
  // with stop_throttle(). Window indices restart at 0.
  void start_throttle(ThrottleWindow window);
  void stop_throttle();
  bool throttling() const;

  // Closes the listener (new connections are refused) and closes every open
  // client connection, for `duration` (0: until come_up()). Returns once the
  // listener is closed. Also what FaultKind::down does.
  void go_down(std::chrono::milliseconds duration);
  // Listens again on the same port at once; returns once listening.
  void come_up();
  bool is_down() const;
  // Waits until the proxy listens again; false after `timeout` or on stop.
  bool wait_up(std::chrono::milliseconds timeout);

  FaultCounters counters() const;
  void reset_counters();
  // Decisions for eligible requests since set_plan(), in decision order
  // (the last 100,000).
  std::vector<FaultRecord> decisions() const;

  // Stops accepting, interrupts every wait, closes every connection, joins
  // all threads. Idempotent.
  void stop();

 private:
  friend class ConnectionServer;  // fault_proxy_exchange.cpp: serves one connection
  struct Connection {
    int client_fd = -1;     // closed by its own thread, under mutex_, when it ends
    bool finished = false;  // guarded by mutex_
    std::thread thread;
  };
  struct Counters {
    std::atomic<uint64_t> connections_accepted{0}, requests_seen{0}, requests_forwarded{0}, requests_faulted{0};
    std::array<std::atomic<uint64_t>, kFaultKindCount> by_kind{};
    std::atomic<uint64_t> throttled{0}, not_applicable{0}, upstream_failures{0}, down_windows{0};
    std::atomic<uint64_t> bytes_to_upstream{0}, bytes_to_client{0};
  };
  // What to do with one request, decided under mutex_.
  struct Verdict {
    std::optional<FaultKind> kind;
    bool throttled = false;
    uint64_t param = 0;
    FaultPlan plan;  // parameters as of the decision
  };

  void open_listener();  // throws std::runtime_error
  void accept_loop();
  void reap_finished();  // joins connection threads that have ended
  void serve(Connection& connection);  // fault_proxy_exchange.cpp
  Verdict decide(const std::string& method, const std::string& target, bool has_copy_source,
                 std::vector<std::string> header_names = {});
  void count_fault(FaultKind kind);
  void wake_accept_loop();

  FaultProxyOptions options_;
  uint32_t listen_ip_ = 0;    // host byte order
  uint32_t upstream_ip_ = 0;  // host byte order
  uint16_t upstream_port_ = 0;
  uint16_t port_ = 0;
  int stop_fd_ = -1;  // eventfd: readable once stop() begins; every socket wait polls it
  int wake_fd_ = -1;  // eventfd: wakes the accept loop (down/up changes, stop)
  Counters counters_;

  mutable std::mutex mutex_;
  std::condition_variable state_cv_;  // listener state changes, stop
  bool stopping_ = false;             // guarded by mutex_
  bool down_ = false;                 // guarded by mutex_: wanted state
  bool listener_open_ = false;        // guarded by mutex_: actual state
  std::optional<std::chrono::steady_clock::time_point> down_until_;  // guarded by mutex_
  int listen_fd_ = -1;  // owned by the accept thread once it runs
  FaultPlan plan_;      // guarded by mutex_
  uint64_t plan_index_ = 0;    // guarded by mutex_
  uint64_t plan_faults_ = 0;   // guarded by mutex_
  std::vector<FaultRecord> records_;  // guarded by mutex_
  std::optional<ThrottleWindow> throttle_;  // guarded by mutex_
  std::chrono::steady_clock::time_point throttle_end_{};  // guarded by mutex_
  uint64_t throttle_index_ = 0;  // guarded by mutex_
  std::list<Connection> connections_;  // guarded by mutex_
  std::atomic<uint64_t> request_ids_{0};  // x-amz-request-id of the proxy's own answers
  std::thread accept_thread_;
};

}  // namespace s5j::testing
