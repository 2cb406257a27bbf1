// Metrics end to end: a relay serving /metrics (metrics.listen) scraped by a
// real Prometheus (Debian's `prometheus`, started here with its own scrape
// config), whose HTTP API must hold s5j_ series with byte counters that grow
// while the relay runs; `promtool check metrics` accepts the exposition; a
// sync takes --metrics-addr; `s5j status --serve` answers /api/status with
// what `status --json` prints, and wants a token off loopback.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/relay_test_support.h"
#include "support/eventually.h"
#include "support/http_get.h"

namespace s5j {
namespace {

using namespace relay_test;
using Json = nlohmann::json;
using testing::BackgroundProcess;
using testing::http_get;

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// A Prometheus server of its own, scraping `target` every second.
class Prometheus {
 public:
  Prometheus(const std::string& dir, const std::string& target) : port_(testing::free_loopback_port()) {
    const std::string config = dir + "/prometheus.yml";
    std::ofstream(config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                             "scrape_configs:\n  - job_name: s5j\n    static_configs:\n      - targets: ['"
                          << target << "']\n";
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{testing::program_path("prometheus"), "--config.file=" + config,
                                 "--storage.tsdb.path=" + dir + "/prometheus-data",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        std::vector<std::string>{}, dir);
  }
  ~Prometheus() {
    if (process_->running()) {
      process_->kill(SIGTERM);
      process_->wait();
    }
  }

  // The result vector of an instant query (empty when none or on error).
  Json query(const std::string& promql) {
    auto answer = http_get("127.0.0.1", port_, "/api/v1/query?query=" + url_encode(promql));
    if (answer.status != 200) return Json::array();
    auto j = Json::parse(answer.body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return Json::array();
    return j["data"]["result"];
  }
  // Whether Prometheus accepts `promql` (parses and evaluates it).
  bool accepts(const std::string& promql, std::string& why) {
    auto answer = http_get("127.0.0.1", port_, "/api/v1/query?query=" + url_encode(promql));
    auto j = Json::parse(answer.body, nullptr, false);
    if (answer.status == 200 && !j.is_discarded() && j.value("status", "") == "success") return true;
    why = std::to_string(answer.status) + " " + answer.body;
    return false;
  }
  // The single value of `promql`, nullopt when there is none.
  std::optional<double> value(const std::string& promql) {
    auto r = query(promql);
    if (r.size() != 1) return std::nullopt;
    return std::stod(r[0]["value"][1].get<std::string>());
  }

 private:
  uint16_t port_;
  std::unique_ptr<BackgroundProcess> process_;
};

// Kept after the test (CI collects them): beside the binary under test.
std::string artifacts_dir() {
  const std::string dir = std::filesystem::path(testing::s5j_binary()).parent_path().string() + "/test-artifacts";
  std::filesystem::create_directories(dir);
  return dir;
}

class MetricsTest : public RelayTest {
 protected:
  std::vector<testing::SeedObject> objects(const std::string& tag, int n, size_t size) {
    std::vector<testing::SeedObject> out;
    for (int i = 0; i < n; ++i)
      out.push_back({"in/" + tag + "-" + std::to_string(i), testing::random_bytes(size, 1000 + i)});
    return out;
  }
};

TEST_F(MetricsTest, PrometheusScrapesARunningRelayWhoseCountersGrow) {
  constexpr size_t kSize = 256 * 1024;
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects("first", 20, kSize)));
  const uint16_t metrics_port = testing::free_loopback_port();
  const std::string target = "127.0.0.1:" + std::to_string(metrics_port);
  const std::string cfg = config("", "transfer:\n  workers: 8\nmetrics:\n  listen: " + target + "\n");
  BackgroundProcess relay({testing::s5j_binary(), "relay", "-c", cfg, "--no-progress"}, {}, dir_);

  // Served while the relay runs, and valid to promtool.
  testing::HttpAnswer scrape;
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(60), [&] {
    scrape = http_get("127.0.0.1", metrics_port, "/metrics");
    return scrape.status == 200;
  })) << "no /metrics from the relay";
  EXPECT_EQ(scrape.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  std::ofstream(dir_ + "/scrape.txt") << scrape.body;
  std::ofstream(artifacts_dir() + "/relay-metrics.txt") << scrape.body;
  auto check = testing::run_process({"/bin/sh", "-c", testing::program_path("promtool") + " check metrics < " +
                                                          dir_ + "/scrape.txt"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  Prometheus prometheus(dir_, target);
  const std::string verified_bytes = "s5j_object_bytes_total{outcome=\"verified\"}";
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(90), [&] {
    return prometheus.value(verified_bytes) == static_cast<double>(20 * kSize);
  })) << "Prometheus never saw the first 20 objects verified";
  EXPECT_EQ(prometheus.value("up{job=\"s5j\"}"), 1.0);

  // More objects while the relay runs (it lists the source again every
  // scan_interval): the counter Prometheus stores grows to cover them.
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects("second", 10, kSize)));
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(90), [&] {
    return prometheus.value(verified_bytes) == static_cast<double>(30 * kSize);
  })) << "the verified bytes did not grow in Prometheus";
  // The job's figures are read from the ledger at most every 2 s.
  EXPECT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(30),
                     [&] { return prometheus.value("s5j_job_objects{state=\"verified\"}") == 30.0; }));
  // The counter only grew: no reset between the scrapes.
  EXPECT_EQ(prometheus.value("resets(" + verified_bytes + "[5m])"), 0.0);
  EXPECT_GT(prometheus.value("max_over_time(" + verified_bytes + "[5m]) - min_over_time(" + verified_bytes + "[5m])")
                .value_or(0),
            0.0);
  EXPECT_GE(prometheus.value("s5j_payload_bytes_total{direction=\"uploaded\"}").value_or(0), 30.0 * kSize);
  EXPECT_GE(prometheus.value("sum(s5j_requests_total{side=\"destination\",operation=\"PutObject\"})").value_or(0),
            30.0);
  EXPECT_GE(prometheus.value("sum(s5j_request_duration_seconds_count{side=\"source\"})").value_or(0), 30.0);
  EXPECT_EQ(prometheus.value("s5j_endpoint_up{side=\"source\"}"), 1.0);
  EXPECT_EQ(prometheus.value("s5j_job_run_active"), 1.0);
  EXPECT_EQ(prometheus.value("count(s5j_build_info)"), 1.0);
  // All verified while the run is active: nothing remains, the ETA is 0.
  EXPECT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(30), [&] { return prometheus.value("s5j_job_eta_seconds") == 0.0; }));
  EXPECT_EQ(prometheus.value("s5j_job_remaining_objects"), 0.0);
  const auto names = prometheus.query("count by (__name__) ({__name__=~\"s5j_.+\"})");
  EXPECT_GE(names.size(), 25u) << names.dump();

  // The Grafana dashboard of packaging/: every query is valid PromQL to
  // this Prometheus, and every s5j_ series it reads is one the relay
  // exposes (errors by kind only exist once errors were recorded).
  std::set<std::string> stored;
  for (const auto& n : names) stored.insert(n["metric"]["__name__"].get<std::string>());
  std::ifstream dashboard_file(testing::source_dir() + "/packaging/grafana/s5j-dashboard.json");
  const Json dashboard = Json::parse(dashboard_file);
  int queries = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel.value("targets", Json::array())) {
      std::string expr = target["expr"].get<std::string>();
      for (const auto& [from, to] : {std::pair<std::string, std::string>{"$__rate_interval", "1m"},
                                     {"$job", ".*"}, {"$instance", ".*"}})
        for (size_t at; (at = expr.find(from)) != std::string::npos;) expr.replace(at, from.size(), to);
      std::string why;
      EXPECT_TRUE(prometheus.accepts(expr, why)) << panel["title"] << ": " << expr << ": " << why;
      ++queries;
      const std::regex name("s5j_[a-z_]+");
      for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name); it != std::sregex_iterator(); ++it) {
        if (it->str() != "s5j_job_recent_errors") {
          EXPECT_TRUE(stored.contains(it->str())) << panel["title"] << " reads " << it->str() << ", not exposed";
        }
      }
    }
  }
  EXPECT_GE(queries, 20);

  relay.kill(SIGTERM);
  auto end = relay.wait();
  EXPECT_EQ(end.exit_code, 0) << end.err;
  expect_identical();
}

TEST_F(MetricsTest, TheEtaFallsAsTheRelayProceeds) {
  // A destination capped at 1 MiB/s makes the drain take about 10 s: long
  // enough for several readings of the ETA at a steady rate.
  constexpr size_t kSize = 256 * 1024;
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects("eta", 40, kSize)));
  const uint16_t metrics_port = testing::free_loopback_port();
  const std::string target = "127.0.0.1:" + std::to_string(metrics_port);
  const std::string cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/"},
      {testing::endpoint_b(), dst_bucket_, "out/", "  max_bandwidth: 1MiB\n"},
      dir_,
      "staging:\n  volumes: [" + volumes_[0] + ", " + volumes_[1] + "]\n  reserve: 0\n  scan_interval: 1\n"
      "transfer:\n  workers: 4\n"});
  Prometheus prometheus(dir_, target);
  BackgroundProcess relay(
      {testing::s5j_binary(), "relay", "-c", cfg, "--no-progress", "--metrics-addr", target}, {}, dir_);
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(120), [&] {
    return prometheus.value("s5j_job_objects{state=\"verified\"}") == 40.0 &&
           prometheus.value("s5j_job_eta_seconds") == 0.0;
  })) << "the relay did not finish with an ETA of 0";
  auto series = prometheus.query("s5j_job_eta_seconds[5m]");
  ASSERT_EQ(series.size(), 1u) << series.dump();
  std::vector<double> positive;
  for (const auto& point : series[0]["values"]) {
    const double eta = std::stod(point[1].get<std::string>());
    if (eta > 0 && (positive.empty() || eta != positive.back())) positive.push_back(eta);
  }
  ASSERT_GE(positive.size(), 2u) << "too few ETA readings while the relay ran: " << series.dump();
  EXPECT_LT(positive.back(), positive.front()) << series.dump();
  relay.kill(SIGTERM);
  EXPECT_EQ(relay.wait().exit_code, 0);
}

TEST_F(MetricsTest, OffATerminalTheProgressIsAPlainLineEveryInterval) {
  // stderr is a file here, as under journald or nohup: no redrawn line, a
  // plain line every --progress-interval, with the bar and the ETA of
  // `s5j status`. The capped destination makes the run last a few seconds.
  constexpr size_t kSize = 256 * 1024;
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects("p", 12, kSize)));
  const std::string cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/"},
      {testing::endpoint_b(), dst_bucket_, "out/", "  max_bandwidth: 1MiB\n"},
      dir_,
      "staging:\n  volumes: [" + volumes_[0] + ", " + volumes_[1] + "]\n  reserve: 0\n"});
  auto run = s5j({"relay", "-c", cfg, "--once", "--progress-interval", "0.5"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find('\r'), std::string::npos) << "no redrawn line off a terminal";
  EXPECT_EQ(run.err.find("\x1b["), std::string::npos) << "no terminal control sequences";
  const std::regex line("s5j: progress: \\[[#-]{20}\\] [0-9]+% .*, ETA ([0-9]+:[0-9]{2}:[0-9]{2}|unknown)\n");
  EXPECT_TRUE(std::regex_search(run.err, line)) << run.err;

  auto quiet = s5j({"relay", "-c", cfg, "--once", "--no-progress", "--progress-interval", "0.1"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("progress:"), std::string::npos) << quiet.err;
}

TEST_F(MetricsTest, SyncTakesMetricsAddrAndABadOneIsAUsageError) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects("s", 3, 1000)));
  const std::string cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/"}, {testing::endpoint_b(), dst_bucket_, "out/"}, dir_, ""});
  const uint16_t port = testing::free_loopback_port();
  auto run = s5j({"sync", "-c", cfg, "--no-progress", "--metrics-addr", "127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  bool logged = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);)
      if (line.find("\"metrics_listening\"") != std::string::npos &&
          line.find("http://127.0.0.1:" + std::to_string(port) + "/metrics") != std::string::npos)
        logged = true;
  }
  EXPECT_TRUE(logged) << "no metrics_listening event naming the address";
  EXPECT_EQ(http_get("127.0.0.1", port, "/metrics").status, 0) << "the server ends with the run";

  auto bad = s5j({"sync", "-c", cfg, "--metrics-addr", "example.com:80"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("'example.com:80'"), std::string::npos) << bad.err;

  // A port another process holds: the run does not start.
  const uint16_t held = testing::free_loopback_port();
  BackgroundProcess holder({testing::s5j_binary(), "status", "-c", cfg, "--serve", "127.0.0.1:" + std::to_string(held)},
                           {}, dir_);
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(30), [&] { return http_get("127.0.0.1", held, "/api/status").status == 200; }));
  auto busy = s5j({"sync", "-c", cfg, "--no-progress", "--metrics-addr", "127.0.0.1:" + std::to_string(held)});
  EXPECT_EQ(busy.exit_code, 1) << busy.err;
  EXPECT_NE(busy.err.find("cannot listen on 127.0.0.1:" + std::to_string(held)), std::string::npos) << busy.err;
  holder.kill(SIGTERM);
  EXPECT_EQ(holder.wait().exit_code, 0);
}

// Fields that change with the clock between two readings of one ledger, and
// the staging volumes' free space (other tests write to the same filesystem).
Json without_time_varying(Json j) {
  j.erase("generated_at");
  j.erase("throughput");
  j.erase("eta_seconds");
  if (j["staging"].is_object())
    for (auto& v : j["staging"]["volumes"]) {
      v.erase("free_bytes");
      v.erase("usable_bytes");
    }
  return j;
}

TEST_F(MetricsTest, StatusServeAnswersWhatStatusJsonPrintsAndTheJobMetrics) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects("o", 12, 4096)));
  const std::string cfg = config();
  auto relay = s5j({"relay", "-c", cfg, "--once", "--no-progress"});
  ASSERT_EQ(relay.exit_code, 0) << relay.err;

  const uint16_t port = testing::free_loopback_port();
  BackgroundProcess serve({testing::s5j_binary(), "status", "-c", cfg, "--serve", "127.0.0.1:" + std::to_string(port)},
                          {}, dir_);
  testing::HttpAnswer api;
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(30), [&] {
    api = http_get("127.0.0.1", port, "/api/status");
    return api.status == 200;
  }));
  EXPECT_EQ(api.headers["content-type"], "application/json");
  const Json served = Json::parse(api.body);
  const Json printed = status_json(cfg);
  EXPECT_EQ(without_time_varying(served), without_time_varying(printed))
      << "served: " << served.dump(1) << "\nprinted: " << printed.dump(1);
  EXPECT_EQ(state_objects(served, "verified"), 12u);

  auto metrics = http_get("127.0.0.1", port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("s5j_job_objects{state=\"verified\"} 12"), std::string::npos) << metrics.body;

  // The chart's history: a point per reading, the last one is now's.
  auto history = http_get("127.0.0.1", port, "/api/history");
  ASSERT_EQ(history.status, 200);
  const Json points = Json::parse(history.body);
  ASSERT_FALSE(points.empty()) << history.body;
  EXPECT_EQ(points.back()["verified_bytes"], 12 * 4096);
  std::ofstream(dir_ + "/job-metrics.txt") << metrics.body;
  auto check = testing::run_process({"/bin/sh", "-c", testing::program_path("promtool") + " check metrics < " +
                                                          dir_ + "/job-metrics.txt"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  auto page = http_get("127.0.0.1", port, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("\"job\":\"default\""), std::string::npos) << "the page carries the status";
  EXPECT_EQ(http_get("127.0.0.1", port, "/api/status", {}, "POST").status, 405) << "read-only";

  serve.kill(SIGTERM);
  EXPECT_EQ(serve.wait().exit_code, 0);
}

TEST_F(MetricsTest, StatusServeOffLoopbackRequiresAToken) {
  const std::string cfg = config();
  auto refused = s5j({"status", "-c", cfg, "--serve", "0.0.0.0:" + std::to_string(testing::free_loopback_port())});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("needs a token"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--serve-token-file"), std::string::npos) << refused.err;

  const std::string token = "3f9a1c0e6b7d4a2f8e5c1b0a9d8c7e6f";
  std::ofstream(dir_ + "/token") << token << "\n";
  const uint16_t port = testing::free_loopback_port();
  BackgroundProcess serve({testing::s5j_binary(), "status", "-c", cfg, "--serve", "0.0.0.0:" + std::to_string(port),
                           "--serve-token-file", dir_ + "/token"},
                          {}, dir_);
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(30), [&] { return http_get("127.0.0.1", port, "/").status == 401; }));
  for (const char* path : {"/", "/api/status", "/metrics"}) {
    auto without = http_get("127.0.0.1", port, path);
    EXPECT_EQ(without.status, 401) << path;
    EXPECT_EQ(without.body.find(token), std::string::npos);
    EXPECT_EQ(http_get("127.0.0.1", port, path, {{"Authorization", "Bearer " + token}}).status, 200) << path;
  }
  EXPECT_EQ(http_get("127.0.0.1", port, "/?token=" + token).status, 200);
  serve.kill(SIGTERM);
  auto end = serve.wait();
  EXPECT_EQ(end.exit_code, 0);
  EXPECT_NE(end.err.find("token required"), std::string::npos) << "it says the token is required: " << end.err;
  EXPECT_EQ(end.err.find(token), std::string::npos);
}

}  // namespace
}  // namespace s5j
