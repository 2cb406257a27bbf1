// s5j-fault-proxy: the FaultProxy as a process, for tests that drive the
// s5j binary (see docs/fault-proxy.md).
//
// Prints the chosen port on stdout (one line), then serves until SIGTERM or
// SIGINT, when it stops and writes the counters as JSON to --stats. SIGUSR1
// writes the stats file without stopping. Exit codes: 0 after a signal, 1
// when it cannot listen or write the stats, 2 for a bad command line.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fault/fault_proxy.h"

namespace {

using s5j::testing::FaultPlan;
using s5j::testing::FaultProxy;
using s5j::testing::FaultProxyOptions;
using s5j::testing::ThrottleWindow;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Written to a temporary name first so a reader never sees half a file.
bool write_stats(const std::string& path, const FaultProxy& proxy) {
  if (path.empty()) return true;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << proxy.counters().to_json() << "\n";
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"s5j-fault-proxy: a fault-injecting HTTP/1.1 reverse proxy for tests (loopback only)"};
  FaultProxyOptions options;
  FaultPlan& plan = options.plan;
  std::string kinds = "";
  std::string stats_path;
  std::string only_method, only_op, only_path, only_query;
  int64_t slow_interval_ms = plan.slow_interval.count(), delay_ms = plan.delay.count(),
          down_ms = plan.down_for.count(), io_timeout_ms = options.io_timeout.count();
  double throttle_fraction = 0.0;
  int64_t throttle_after_ms = 0, throttle_for_ms = 0;
  app.add_option("--listen", options.listen, "address to listen on, in 127.0.0.0/8 (port 0: any)")
      ->capture_default_str();
  app.add_option("--upstream", options.upstream, "http://127.x.y.z:PORT to forward to")->required();
  app.add_option("--seed", plan.seed, "PRNG seed: same seed + same requests = same faults")->capture_default_str();
  app.add_option("--rate", plan.rate, "probability that an eligible request is faulted")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--kinds", kinds, "comma-separated fault kinds (see docs/fault-proxy.md)");
  app.add_option("--max-faults", plan.max_faults, "stop faulting after this many (0: no limit)");
  app.add_option("--only-method", only_method, "eligible methods, comma-separated (GET,PUT,...)");
  app.add_option("--only-op", only_op, "eligible S3 operations, comma-separated (UploadPart,GetObject,...)");
  app.add_option("--only-path", only_path, "eligible paths: ECMAScript regex searched in the raw path");
  app.add_option("--only-query", only_query, "eligible queries: ECMAScript regex searched in the raw query");
  app.add_option("--slow-bytes", plan.slow_bytes, "slow: bytes per piece")->capture_default_str();
  app.add_option("--slow-interval-ms", slow_interval_ms, "slow: pause before each piece")->capture_default_str();
  app.add_option("--delay-ms", delay_ms, "delay_past_timeout: how long the answer is held")->capture_default_str();
  app.add_option("--down-ms", down_ms, "down: how long connections are refused (0: for good)")->capture_default_str();
  app.add_option("--throttle", throttle_fraction, "sustained throttling: fraction of requests answered 503 SlowDown")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--throttle-after-ms", throttle_after_ms, "start throttling this long after start");
  app.add_option("--throttle-for-ms", throttle_for_ms, "throttling window length (0: until exit)");
  app.add_option("--io-timeout-ms", io_timeout_ms, "limit of any wait on a peer")->capture_default_str();
  app.add_option("--stats", stats_path, "write JSON counters here on exit (and on SIGUSR1)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  std::string bad;
  auto parsed = s5j::testing::parse_fault_kinds(kinds, &bad);
  if (!parsed) {
    std::cerr << "s5j-fault-proxy: unknown fault kind '" << bad << "'\n";
    return 2;
  }
  plan.kinds = *parsed;
  plan.slow_interval = std::chrono::milliseconds(slow_interval_ms);
  plan.delay = std::chrono::milliseconds(delay_ms);
  plan.down_for = std::chrono::milliseconds(down_ms);
  options.io_timeout = std::chrono::milliseconds(io_timeout_ms);
  plan.filter.methods = split_commas(only_method);
  plan.filter.operations = split_commas(only_op);
  try {
    if (!only_path.empty()) plan.filter.path = std::regex(only_path);
    if (!only_query.empty()) plan.filter.query = std::regex(only_query);
  } catch (const std::regex_error& e) {
    std::cerr << "s5j-fault-proxy: bad regex: " << e.what() << "\n";
    return 2;
  }

  // Signals are taken synchronously by sigtimedwait below; blocking them
  // before the proxy starts its threads keeps them away from those threads.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<FaultProxy> proxy;
  try {
    proxy = std::make_unique<FaultProxy>(options);
  } catch (const std::invalid_argument& e) {
    std::cerr << "s5j-fault-proxy: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "s5j-fault-proxy: " << e.what() << "\n";
    return 1;
  }
  std::cout << proxy->port() << std::endl;

  const auto started = std::chrono::steady_clock::now();
  bool throttle_pending = throttle_fraction > 0.0;
  // Runs until a terminating signal; each wait is at most one second.
  for (;;) {
    if (throttle_pending && std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(throttle_after_ms)) {
      proxy->start_throttle(ThrottleWindow{.fraction = throttle_fraction,
                                           .duration = std::chrono::milliseconds(throttle_for_ms),
                                           .seed = plan.seed});
      throttle_pending = false;
    }
    const timespec tick{0, 100'000'000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGUSR1) {
      if (!write_stats(stats_path, *proxy)) std::cerr << "s5j-fault-proxy: cannot write " << stats_path << "\n";
      continue;
    }
    if (sig == SIGTERM || sig == SIGINT) break;
  }
  proxy->stop();
  if (!write_stats(stats_path, *proxy)) {
    std::cerr << "s5j-fault-proxy: cannot write " << stats_path << "\n";
    return 1;
  }
  return 0;
}
