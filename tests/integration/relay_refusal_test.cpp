// Issue #23 (1), against a real gateway: the destination of a running
// continuous relay starts refusing it (its bucket policy is taken away
// from the user the relay writes as). The relay fails nothing, stops
// staging, says why in `status` and in its log, and goes on by itself once
// the grant is back; every object ends verified and identical.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/curl_transport.h"
#include "integration/relay_test_support.h"
#include "support/bucket_policy.h"

namespace s5j::relay_test {
namespace {

using nlohmann::json;

uint64_t verified(const json& status) { return state_objects(status, "verified"); }

std::string activity(const json& status) {
  const auto run = status.value("run", json());
  if (!run.is_object() || !run["activity"].is_object()) return "";
  return run["activity"]["name"].get<std::string>();
}

// Polls `status` (each poll a process run) until `done` holds or a minute passed.
template <class F>
json poll_status(const std::string& config, F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  json last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = status_json(config);
    if (done(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // pacing the polls
  }
  return last;
}

TEST_F(RelayTest, ContinuousRelayWaitsOutARefusingDestinationAndGoesOnWhenItAcceptsAgain) {
  constexpr int kObjects = 40;
  constexpr int kWorkers = 2;
  std::vector<testing::SeedObject> objects;
  for (int i = 0; i < kObjects; ++i)
    objects.push_back({"in/g-" + std::to_string(100 + i), testing::random_bytes(64 * 1024, 300 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  testing::grant_limited_user(testing::endpoint_b(), dst_bucket_, testing::kLimitedWriteDestination);

  // The source at 512 KiB/s: 2.5 MiB take about five seconds, time to take
  // the grant away in the middle.
  testing::JobSide destination{testing::endpoint_b(), dst_bucket_, "out/"};
  destination.access_key = testing::limited_access_key();
  destination.secret_key = testing::limited_secret_key();
  const std::string cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/", "  max_bandwidth: 512KiB\n"},
      destination,
      dir_,
      "staging:\n  volumes: [" + volumes_[0] + ", " + volumes_[1] +
          "]\n  reserve: 0\n  scan_interval: 1\n  refusal_retry: 0.5\ntransfer:\n  workers: " +
          std::to_string(kWorkers) + "\n"});

  testing::BackgroundProcess relay({testing::s5j_binary(), "relay", "-c", cfg, "--no-progress"}, {}, dir_);
  const json started = poll_status(cfg, [](const json& s) { return verified(s) >= 3; });
  ASSERT_GE(verified(started), 3u) << started.dump();
  ASSERT_LT(verified(started), static_cast<uint64_t>(kObjects)) << "the relay finished before the refusal";

  testing::remove_bucket_policy(testing::endpoint_b(), dst_bucket_);
  const json refused = poll_status(cfg, [](const json& s) { return activity(s) == "destination_refused"; });
  ASSERT_EQ(activity(refused), "destination_refused") << refused.dump();
  const json a = refused["run"]["activity"];
  EXPECT_NE(a["detail"].get<std::string>().find("AccessDenied"), std::string::npos) << a.dump();
  EXPECT_FALSE(a["retry_at"].is_null()) << a.dump();
  EXPECT_TRUE(relay.running());
  auto text = s5j({"status", "-c", cfg});
  EXPECT_NE(text.out.find("DESTINATION REFUSED"), std::string::npos) << text.out;

  testing::grant_limited_user(testing::endpoint_b(), dst_bucket_, testing::kLimitedWriteDestination);
  const json done = poll_status(cfg, [](const json& s) {
    return verified(s) == static_cast<uint64_t>(kObjects) && activity(s) != "destination_refused";
  });
  ASSERT_EQ(verified(done), static_cast<uint64_t>(kObjects)) << done.dump();

  relay.kill(SIGTERM);
  auto stopped = relay.wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_EQ(totals()[ledger::ObjectState::failed], 0u);

  // The log: the refusal, the way back, nothing failed, and staging held
  // while refused (only fetches already running could finish).
  const auto events = testing::read_events(dir_ + "/logs");
  EXPECT_TRUE(testing::events_named(events, "object_failed").empty());
  size_t refused_at = events.size(), accepted_at = events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i]["event"] == "destination_refused" && refused_at == events.size()) refused_at = i;
    if (events[i]["event"] == "destination_accepted") accepted_at = i;
  }
  ASSERT_LT(refused_at, events.size()) << "no destination_refused event";
  ASSERT_LT(accepted_at, events.size()) << "no destination_accepted event";
  ASSERT_LT(refused_at, accepted_at);
  int downloaded_while_refused = 0;
  for (size_t i = refused_at; i < accepted_at; ++i)
    if (events[i]["event"] == "object_downloaded") ++downloaded_while_refused;
  EXPECT_LE(downloaded_while_refused, kWorkers) << "staging went on while the destination refused";

  // Objects the limited user wrote are its own: read back with its keys.
  s3::ClientOptions options;
  options.endpoint_urls = {testing::endpoint_b()};
  options.credentials = {testing::limited_access_key(), testing::limited_secret_key(), ""};
  auto limited = s3::make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{}));
  ASSERT_TRUE(limited.has_value());
  EXPECT_TRUE(testing::bucket_digests(*src_client_, src_bucket_, "in/") ==
              testing::bucket_digests(**limited, dst_bucket_, "out/"));
}

}  // namespace
}  // namespace s5j::relay_test
