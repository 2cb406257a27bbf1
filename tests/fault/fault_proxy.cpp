// FaultProxy lifecycle: address checks, the listener and its down windows,
// decisions, counters. The per-connection exchange is in
// fault_proxy_exchange.cpp.
#include "fault/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace s5j::testing {
namespace {

constexpr size_t kMaxRecords = 100'000;

bool is_loopback(uint32_t ip) { return (ip >> 24) == 127; }

// "127.0.0.1:8080" -> (ip, port); throws std::invalid_argument.
std::pair<uint32_t, uint16_t> parse_ipv4_port(std::string_view text, const char* what) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) throw std::invalid_argument(std::string(what) + ": expected IPv4:PORT");
  const std::string host(text.substr(0, colon));
  in_addr addr{};
  if (::inet_pton(AF_INET, host.c_str(), &addr) != 1)
    throw std::invalid_argument(std::string(what) + ": '" + host + "' is not a literal IPv4 address");
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port > 65535)
    throw std::invalid_argument(std::string(what) + ": bad port '" + std::string(port_text) + "'");
  const uint32_t ip = ntohl(addr.s_addr);
  if (!is_loopback(ip)) throw std::invalid_argument(std::string(what) + ": only 127.0.0.0/8 is allowed, not " + host);
  return {ip, static_cast<uint16_t>(port)};
}

}  // namespace

FaultProxy::FaultProxy(FaultProxyOptions options) : options_(std::move(options)), plan_(options_.plan) {
  auto [listen_ip, listen_port] = parse_ipv4_port(options_.listen, "listen address");
  std::string_view upstream = options_.upstream;
  if (!upstream.starts_with("http://"))
    throw std::invalid_argument("upstream: must be http://127.x.y.z:PORT, got '" + options_.upstream + "'");
  upstream.remove_prefix(7);
  if (upstream.ends_with("/")) upstream.remove_suffix(1);
  auto [upstream_ip, upstream_port] = parse_ipv4_port(upstream, "upstream");
  if (upstream_port == 0) throw std::invalid_argument("upstream: port 0");
  listen_ip_ = listen_ip;
  port_ = listen_port;
  upstream_ip_ = upstream_ip;
  upstream_port_ = upstream_port;

  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("FaultProxy: eventfd() failed");
  try {
    open_listener();
  } catch (...) {
    ::close(stop_fd_);
    ::close(wake_fd_);
    throw;
  }
  listener_open_ = true;
  accept_thread_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() { stop(); }

std::string FaultProxy::host_port() const {
  in_addr addr{htonl(listen_ip_)};
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(port_);
}

std::string FaultProxy::url() const { return "http://" + host_port(); }

void FaultProxy::open_listener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("FaultProxy: socket() failed");
  // SO_REUSEADDR: reopening the same port after a down window must not be
  // blocked by connections of the previous listener still in TIME_WAIT.
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(listen_ip_);
  addr.sin_port = htons(port_);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 256) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("FaultProxy: cannot listen on " + options_.listen + ": " + reason);
  }
  port_ = ntohs(addr.sin_port);
  listen_fd_ = fd;
}

void FaultProxy::wake_accept_loop() {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void FaultProxy::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  state_cv_.notify_all();
  const uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);  // never read: stays readable for every poll
  wake_accept_loop();
  accept_thread_.join();  // no new connection threads after this

  std::list<Connection> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  // Every connection thread polls stop_fd_ in each wait, so they all end soon.
  for (auto& c : connections) c.thread.join();
  ::close(stop_fd_);
  ::close(wake_fd_);
}

void FaultProxy::reap_finished() {
  std::list<Connection> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto next = std::next(it);
      if (it->finished) finished.splice(finished.end(), connections_, it);
      it = next;
    }
  }
  for (auto& c : finished) c.thread.join();
}

void FaultProxy::accept_loop() {
  // Bounded by stop(): every wait below wakes on wake_fd_ or state_cv_.
  for (;;) {
    reap_finished();
    {
      std::unique_lock lock(mutex_);
      if (stopping_) break;
      if (down_ && listener_open_) {
        ::close(listen_fd_);  // connections now get ECONNREFUSED
        listen_fd_ = -1;
        listener_open_ = false;
        state_cv_.notify_all();
      }
      if (!down_ && !listener_open_) {
        try {
          open_listener();
          listener_open_ = true;
        } catch (const std::exception&) {
          // The port was taken meanwhile; try again shortly (bounded by stop).
          state_cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stopping_; });
          continue;
        }
        state_cv_.notify_all();
      }
      if (down_) {
        auto until_up = [this] { return stopping_ || !down_; };
        if (down_until_) {
          if (!state_cv_.wait_until(lock, *down_until_, until_up)) down_ = false;  // window over
        } else {
          state_cv_.wait(lock, until_up);
        }
        continue;
      }
    }
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, 1000) < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) {
      uint64_t drained;
      (void)!::read(wake_fd_, &drained, sizeof drained);
      continue;
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    if (stopping_ || down_) {
      ::close(fd);
      continue;
    }
    counters_.connections_accepted.fetch_add(1);
    auto& c = connections_.emplace_back();
    c.client_fd = fd;
    c.thread = std::thread([this, &c] { serve(c); });
  }
  std::lock_guard lock(mutex_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  listener_open_ = false;
}

void FaultProxy::go_down(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  if (!down_) counters_.down_windows.fetch_add(1);
  down_ = true;
  down_until_.reset();
  if (duration > std::chrono::milliseconds(0)) down_until_ = std::chrono::steady_clock::now() + duration;
  wake_accept_loop();
  state_cv_.notify_all();
  state_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return stopping_ || !listener_open_; });
  // A server that goes down drops its connections too; only now, so that a
  // client that sees its connection end cannot reconnect before the
  // listener is gone. shutdown() wakes their threads; each closes its own
  // descriptor.
  for (auto& c : connections_)
    if (!c.finished) ::shutdown(c.client_fd, SHUT_RDWR);
}

void FaultProxy::come_up() {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  down_ = false;
  down_until_.reset();
  state_cv_.notify_all();
  state_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return stopping_ || listener_open_; });
}

bool FaultProxy::is_down() const {
  std::lock_guard lock(mutex_);
  return !listener_open_;
}

bool FaultProxy::wait_up(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return state_cv_.wait_for(lock, timeout, [this] { return stopping_ || listener_open_; }) && !stopping_;
}

void FaultProxy::set_plan(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  plan_ = std::move(plan);
  plan_index_ = 0;
  plan_faults_ = 0;
  records_.clear();
}

FaultPlan FaultProxy::plan() const {
  std::lock_guard lock(mutex_);
  return plan_;
}

void FaultProxy::start_throttle(ThrottleWindow window) {
  std::lock_guard lock(mutex_);
  throttle_end_ = std::chrono::steady_clock::now() + window.duration;
  throttle_ = std::move(window);
  throttle_index_ = 0;
}

void FaultProxy::stop_throttle() {
  std::lock_guard lock(mutex_);
  throttle_.reset();
}

bool FaultProxy::throttling() const {
  std::lock_guard lock(mutex_);
  return throttle_ && (throttle_->duration.count() == 0 || std::chrono::steady_clock::now() < throttle_end_);
}

FaultProxy::Verdict FaultProxy::decide(const std::string& method, const std::string& target, bool has_copy_source,
                                       std::vector<std::string> header_names) {
  const size_t q = target.find('?');
  const std::string_view t(target);
  const RequestInfo info{method, t.substr(0, q), q == std::string::npos ? std::string_view() : t.substr(q + 1),
                         has_copy_source, std::move(header_names)};
  std::lock_guard lock(mutex_);
  Verdict v;
  v.plan = plan_;
  if (throttle_) {
    const bool active = throttle_->duration.count() == 0 || std::chrono::steady_clock::now() < throttle_end_;
    if (!active) {
      throttle_.reset();
    } else if (throttle_->filter.matches(info)) {
      if (decide_throttle(throttle_->seed, throttle_->fraction, throttle_index_++)) {
        v.throttled = true;
        return v;
      }
    }
  }
  if (!plan_.filter.matches(info)) return v;
  const uint64_t index = plan_index_++;
  FaultDecision d = decide_fault(plan_.seed, plan_.rate, plan_.kinds, index);
  if (d.kind && plan_.max_faults != 0 && plan_faults_ >= plan_.max_faults) d.kind.reset();
  if (d.kind) ++plan_faults_;
  v.kind = d.kind;
  v.param = d.param;
  if (records_.size() >= kMaxRecords) records_.erase(records_.begin(), records_.begin() + kMaxRecords / 10);
  records_.push_back({index, method, target, d.kind});
  return v;
}

void FaultProxy::count_fault(FaultKind kind) {
  counters_.requests_faulted.fetch_add(1);
  counters_.by_kind[static_cast<size_t>(kind)].fetch_add(1);
}

FaultCounters FaultProxy::counters() const {
  FaultCounters c;
  c.connections_accepted = counters_.connections_accepted.load();
  c.requests_seen = counters_.requests_seen.load();
  c.requests_forwarded = counters_.requests_forwarded.load();
  c.requests_faulted = counters_.requests_faulted.load();
  for (size_t i = 0; i < kFaultKindCount; ++i) c.faulted_by_kind[i] = counters_.by_kind[i].load();
  c.throttled = counters_.throttled.load();
  c.faults_not_applicable = counters_.not_applicable.load();
  c.upstream_failures = counters_.upstream_failures.load();
  c.down_windows = counters_.down_windows.load();
  c.bytes_to_upstream = counters_.bytes_to_upstream.load();
  c.bytes_to_client = counters_.bytes_to_client.load();
  return c;
}

void FaultProxy::reset_counters() {
  for (auto* a : {&counters_.connections_accepted, &counters_.requests_seen, &counters_.requests_forwarded,
                  &counters_.requests_faulted, &counters_.throttled, &counters_.not_applicable,
                  &counters_.upstream_failures, &counters_.down_windows, &counters_.bytes_to_upstream,
                  &counters_.bytes_to_client})
    a->store(0);
  for (auto& a : counters_.by_kind) a.store(0);
}

std::vector<FaultRecord> FaultProxy::decisions() const {
  std::lock_guard lock(mutex_);
  return records_;
}

}  // namespace s5j::testing
