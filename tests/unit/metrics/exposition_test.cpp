// What /metrics says, from figures set by hand: Prometheus's naming rules
// (one s5j_ prefix, counters ending in _total, base units), the run's
// tally, the clients' requests, the job's status, and no object key.
#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "metrics/job_families.h"
#include "metrics/request_metrics.h"
#include "metrics/run_families.h"
#include "metrics/status_page.h"
#include "support/fake_s3_client.h"

namespace s5j::metrics {
namespace {

// "name{labels} value" lines, keyed by "name{labels}".
std::map<std::string, double> samples_of(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

// name -> type, from the "# TYPE" lines.
std::map<std::string, std::string> types_of(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex("# TYPE (\\S+) (\\S+)"))) out[m[1]] = m[2];
  }
  return out;
}

ops::StatusReport sample_report() {
  ops::StatusReport r;
  r.job = "nightly";
  r.job_exists = true;
  r.mode = ledger::JobMode::staged;
  r.states = {{ledger::ObjectState::pending, 5, 5000}, {ledger::ObjectState::verified, 15, 15000}};
  r.total_objects = 20;
  r.total_bytes = 20000;
  r.remaining_objects = 5;
  r.remaining_bytes = 5000;
  r.run = ops::RunStatus{.active = true, .pid = 7, .host = "h", .command = "relay"};
  r.run->activity = ledger::RunActivity{.name = "transferring"};
  r.throughput.last_minute = 250;
  r.eta_seconds = 20;
  r.staging = std::vector<ops::VolumeStatus>{
      {.path = "/srv/vol1", .total_bytes = 1000000, .free_bytes = 400000, .usable_bytes = 300000,
       .staged_files = 2, .staged_bytes = 2000}};
  r.errors = {{.kind = "SlowDown", .count = 3, .latest_key = "secret/key/name.bin", .latest_message = "m"}};
  return r;
}

TEST(Exposition, FollowsPrometheusNamingRules) {
  Exposition exposition("1.2.3", "abc");
  RequestMetrics requests(exposition);
  testing::FakeS3Client fake([](const testing::RecordedRequest&, int) { return testing::FakeAnswer{.status = 200}; });
  requests.observe("source", {.operation = "GetObject", .http_status = 200, .duration = std::chrono::milliseconds(20),
                              .bytes_received = 1000});
  transfer::RunTally tally;
  exposition.add_source([&](Families& out) {
    append_run_families(tally, {.listing = true, .listed_objects = 3}, out);
    append_client_families("source", *fake.client, out);
    append_job_families(sample_report(), out);
  });
  const std::string text = exposition.text();
  const auto types = types_of(text);
  ASSERT_GT(types.size(), 20u) << text;
  for (const auto& [name, type] : types) {
    EXPECT_TRUE(name.starts_with("s5j_")) << name;
    EXPECT_EQ(name.find("s5j_", 1), std::string::npos) << name << ": one prefix";
    if (type == "counter") EXPECT_TRUE(name.ends_with("_total")) << name;
    if (type != "counter") EXPECT_FALSE(name.ends_with("_total")) << name;
    for (const char* unit : {"_milliseconds", "_ms", "_kb", "_mib", "_minutes"})
      EXPECT_EQ(name.find(unit), std::string::npos) << name << ": base units only";
  }
  EXPECT_EQ(types.at("s5j_build_info"), "gauge");
  EXPECT_EQ(types.at("s5j_request_duration_seconds"), "histogram");
  EXPECT_EQ(text.find("secret/key/name.bin"), std::string::npos) << "no object key in the metrics";
  const auto samples = samples_of(text);
  EXPECT_EQ(samples.at("s5j_build_info{version=\"1.2.3\",commit=\"abc\"}"), 1);
}

TEST(Exposition, CountsTheRunTheRequestsAndTheJob) {
  Exposition exposition("v", "c");
  RequestMetrics requests(exposition);
  testing::FakeS3Client fake([](const testing::RecordedRequest&, int) { return testing::FakeAnswer{.status = 200}; });
  transfer::RunTally tally;
  tally.staged_objects = 4;
  tally.staged_bytes = 4096;
  tally.verified_objects = 3;
  tally.verified_bytes = 3072;
  tally.failed_objects = 1;
  tally.downloaded_bytes = 5000;
  tally.uploaded_bytes = 3100;
  exposition.add_source([&](Families& out) {
    append_run_families(tally, {.listing = false, .waiting_for_space = true, .listed_objects = 9}, out);
    append_client_families("destination", *fake.client, out);
    append_job_families(sample_report(), out);
  });
  requests.observe("destination",
                   {.operation = "PutObject", .http_status = 200, .duration = std::chrono::milliseconds(40),
                    .bytes_sent = 1024});
  requests.observe("destination", {.operation = "PutObject", .http_status = 503, .error_code = "SlowDown",
                                   .will_retry = true, .duration = std::chrono::milliseconds(5)});
  requests.observe("source", {.operation = "GetObject", .http_status = 0, .error_code = "ConnectFailed",
                              .will_retry = true});

  const auto s = samples_of(exposition.text());
  EXPECT_EQ(s.at("s5j_objects_total{outcome=\"staged\"}"), 4);
  EXPECT_EQ(s.at("s5j_objects_total{outcome=\"verified\"}"), 3);
  EXPECT_EQ(s.at("s5j_objects_total{outcome=\"failed\"}"), 1);
  EXPECT_EQ(s.at("s5j_object_bytes_total{outcome=\"verified\"}"), 3072);
  EXPECT_EQ(s.at("s5j_payload_bytes_total{direction=\"downloaded\"}"), 5000);
  EXPECT_EQ(s.at("s5j_payload_bytes_total{direction=\"uploaded\"}"), 3100);
  EXPECT_EQ(s.at("s5j_listed_objects_total"), 9);
  EXPECT_EQ(s.at("s5j_listing"), 0);
  EXPECT_EQ(s.at("s5j_waiting_for_space"), 1);

  EXPECT_EQ(s.at("s5j_requests_total{operation=\"PutObject\",side=\"destination\",status_class=\"2xx\"}"), 1);
  EXPECT_EQ(s.at("s5j_requests_total{operation=\"PutObject\",side=\"destination\",status_class=\"5xx\"}"), 1);
  EXPECT_EQ(s.at("s5j_requests_total{operation=\"GetObject\",side=\"source\",status_class=\"none\"}"), 1);
  EXPECT_EQ(s.at("s5j_request_retries_total{side=\"destination\"}"), 1);
  EXPECT_EQ(s.at("s5j_throttled_requests_total{side=\"destination\"}"), 1);
  EXPECT_EQ(s.at("s5j_sent_bytes_total{side=\"destination\"}"), 1024);
  EXPECT_EQ(s.at("s5j_request_duration_seconds_count{operation=\"PutObject\",side=\"destination\"}"), 2);
  EXPECT_NEAR(s.at("s5j_request_duration_seconds_sum{operation=\"PutObject\",side=\"destination\"}"), 0.045, 1e-9);
  EXPECT_EQ(s.at("s5j_request_duration_seconds_bucket{operation=\"PutObject\",side=\"destination\",le=\"0.005\"}"), 1);

  EXPECT_EQ(s.at("s5j_endpoint_up{side=\"destination\",endpoint=\"http://127.0.0.1:9000\"}"), 1);
  EXPECT_GE(s.at("s5j_concurrency_limit{side=\"destination\"}"), 1);

  EXPECT_EQ(s.at("s5j_job_objects{state=\"verified\"}"), 15);
  EXPECT_EQ(s.at("s5j_job_bytes{state=\"pending\"}"), 5000);
  EXPECT_EQ(s.at("s5j_job_remaining_bytes"), 5000);
  EXPECT_EQ(s.at("s5j_job_eta_seconds"), 20);
  EXPECT_EQ(s.at("s5j_job_throughput_bytes_per_second{window=\"last_minute\"}"), 250);
  EXPECT_EQ(s.at("s5j_job_run_active"), 1);
  EXPECT_EQ(s.at("s5j_job_activity{activity=\"transferring\"}"), 1);
  EXPECT_EQ(s.at("s5j_staging_volume_free_bytes{volume=\"/srv/vol1\"}"), 400000);
  EXPECT_EQ(s.at("s5j_staging_volume_staged_bytes{volume=\"/srv/vol1\"}"), 2000);
  EXPECT_EQ(s.at("s5j_job_recent_errors{kind=\"SlowDown\"}"), 3);
}

TEST(Exposition, NoEtaWithoutOneAndNoJobFiguresBeforeTheJobExists) {
  auto report = sample_report();
  report.eta_seconds.reset();
  Families families;
  append_job_families(report, families);
  for (const auto& f : families) EXPECT_NE(f.name, "s5j_job_eta_seconds");
  Families none;
  append_job_families(ops::StatusReport{}, none);
  EXPECT_TRUE(none.empty());
}

TEST(StatusPage, CarriesTheInitialStatusWithoutEndingItsScript) {
  const std::string page = status_page(R"({"job":"x</script><script>alert(1)</script>"})");
  EXPECT_EQ(page.find("x</script><script>"), std::string::npos);
  EXPECT_NE(page.find(R"({"job":"x<\/script><script>alert(1)<\/script>"})"), std::string::npos);
  EXPECT_EQ(page.find("/*S5J_INITIAL_STATUS*/"), std::string::npos);
  // Self-contained: nothing loaded from elsewhere.
  for (const char* outside : {"src=\"http", "href=\"http", "src=\"//", "@import", "url(http"})
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
  EXPECT_NE(status_page("null").find(R"(<script id="initial-status" type="application/json">null</script>)"),
            std::string::npos);
}

}  // namespace
}  // namespace s5j::metrics

namespace s5j::metrics {
namespace {

TEST(Exposition, JoinsOneFamilyWrittenBySeveralSources) {
  Exposition exposition("v", "c");
  testing::FakeS3Client a([](const testing::RecordedRequest&, int) { return testing::FakeAnswer{.status = 200}; });
  testing::FakeS3Client b([](const testing::RecordedRequest&, int) { return testing::FakeAnswer{.status = 200}; });
  exposition.add_source([&](Families& out) { append_client_families("source", *a.client, out); });
  exposition.add_source([&](Families& out) { append_client_families("destination", *b.client, out); });
  const std::string text = exposition.text();
  const auto help = text.find("# HELP s5j_concurrency_limit ");
  ASSERT_NE(help, std::string::npos);
  EXPECT_EQ(text.find("# HELP s5j_concurrency_limit ", help + 1), std::string::npos) << text;
  const auto s = samples_of(text);
  EXPECT_TRUE(s.contains("s5j_concurrency_limit{side=\"source\"}"));
  EXPECT_TRUE(s.contains("s5j_concurrency_limit{side=\"destination\"}"));
}

}  // namespace
}  // namespace s5j::metrics

namespace s5j::metrics {
namespace {

TEST(Exposition, LedgerCommitsAreAHistogram) {
  transfer::RunTally tally;
  tally.ledger_commits.record(std::chrono::microseconds(500));
  tally.ledger_commits.record(std::chrono::milliseconds(20));
  tally.ledger_commits.record(std::chrono::seconds(30));
  Exposition exposition("v", "c");
  exposition.add_source([&](Families& out) { append_run_families(tally, {}, out); });
  const std::string text = exposition.text();
  EXPECT_NE(text.find("# TYPE s5j_ledger_commit_duration_seconds histogram"), std::string::npos) << text;
  const auto s = samples_of(text);
  EXPECT_EQ(s.at("s5j_ledger_commit_duration_seconds_count"), 3);
  EXPECT_NEAR(s.at("s5j_ledger_commit_duration_seconds_sum"), 30.0205, 1e-9);
  EXPECT_EQ(s.at("s5j_ledger_commit_duration_seconds_bucket{le=\"0.001\"}"), 1);
  EXPECT_EQ(s.at("s5j_ledger_commit_duration_seconds_bucket{le=\"0.025\"}"), 2);
  EXPECT_EQ(s.at("s5j_ledger_commit_duration_seconds_bucket{le=\"5\"}"), 2);
  EXPECT_EQ(s.at("s5j_ledger_commit_duration_seconds_bucket{le=\"+Inf\"}"), 3);
}

}  // namespace
}  // namespace s5j::metrics

#include "metrics/run_health.h"

namespace s5j::metrics {
namespace {

TEST(RunHealth, ReadsEndpointsAndConcurrencyFromAnExposition) {
  Exposition exposition("v", "c");
  testing::FakeS3Client source([](const testing::RecordedRequest&, int) { return testing::FakeAnswer{.status = 200}; },
                               {"http://127.0.0.1:9000", "http://127.0.0.1:9001"});
  exposition.add_source([&](Families& out) { append_client_families("source", *source.client, out); });
  const auto health = run_health_from_exposition(exposition.text());
  ASSERT_EQ(health["sides"].size(), 1u) << health.dump();
  EXPECT_EQ(health["sides"][0]["side"], "source");
  EXPECT_GE(health["sides"][0]["concurrency_limit"].get<double>(), 1);
  EXPECT_EQ(health["sides"][0]["in_flight"], 0);
  ASSERT_EQ(health["endpoints"].size(), 2u) << health.dump();
  EXPECT_EQ(health["endpoints"][0]["endpoint"], "http://127.0.0.1:9000");
  EXPECT_EQ(health["endpoints"][0]["up"], true);
  EXPECT_EQ(health["endpoints"][1]["requests"], 0);
  EXPECT_EQ(run_health_from_exposition("# nothing\nother_metric 1\n")["endpoints"].size(), 0u);
}

}  // namespace
}  // namespace s5j::metrics
