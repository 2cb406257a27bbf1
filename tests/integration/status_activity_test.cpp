// `s5j status` from a second process says what a running stage / relay is
// doing, as the run published it in the ledger (its lock rows): waiting for
// staging space while every volume is full and nothing drains (issue #4's
// back-pressure), and scanning when a continuous relay has everything done.
// Each run is then stopped with SIGTERM and must exit 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "integration/relay_test_support.h"

namespace s5j::relay_test {
namespace {

using Json = nlohmann::json;
using testing::SeedObject;
using std::chrono::seconds;

class StatusActivityTest : public RelayTest {
 protected:
  Json status_json(const std::string& cfg) {
    auto r = s5j({"status", "-c", cfg, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    try {
      return Json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "status --json printed no JSON: " << e.what() << "\n" << r.out;
      return Json();
    }
  }

  // Asks `s5j status --json` until `wanted` holds for its answer or the
  // deadline passes; returns the last answer. The run reaches the state on
  // its own time (staging, listing), so the test polls for it; the pause
  // between polls only keeps a shared machine from being hammered, nothing
  // waits on it.
  Json poll_status(const std::string& cfg, testing::BackgroundProcess& run, const std::function<bool(const Json&)>& wanted,
                   std::chrono::seconds deadline = seconds(90)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    Json last;
    while (std::chrono::steady_clock::now() < until && run.running()) {
      last = status_json(cfg);
      if (wanted(last)) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return last;
  }

  static std::string activity_name(const Json& j) {
    if (!j.is_object() || !j["run"].is_object() || !j["run"]["activity"].is_object()) return "";
    return j["run"]["activity"]["name"].get<std::string>();
  }
};

// Two volumes of 2 MiB each hold four of the six 1 MiB objects; with no
// drain running nothing frees space, so the other writes wait, and status
// says so with the bytes a waiting write wants.
TEST_F(StatusActivityTest, StageWithFullVolumesAndNoDrainReportsWaitingForSpace) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 6; ++i) objects.push_back({"in/" + std::to_string(i), testing::random_bytes(kMiB, 700 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  const auto cfg = config("  volume_limit: 2MiB\n");

  testing::BackgroundProcess run({testing::s5j_binary(), "stage", "--once", "-c", cfg, "--no-progress"}, {}, dir_);
  const Json j = poll_status(cfg, run, [](const Json& s) { return activity_name(s) == "waiting_for_space"; });
  ASSERT_EQ(activity_name(j), "waiting_for_space") << j.dump(2);
  EXPECT_EQ(j["run"]["active"], true);
  EXPECT_EQ(j["run"]["pid"], run.pid());
  EXPECT_EQ(j["run"]["role"], "stage");
  EXPECT_EQ(j["run"]["activity"]["wanted_bytes"], kMiB);
  EXPECT_TRUE(j["run"]["activity"]["next_scan_at"].is_null());
  const auto since = parse_iso8601(j["run"]["activity"]["since"].get<std::string>());
  ASSERT_TRUE(since.has_value()) << j["run"]["activity"].dump();
  const auto started = parse_iso8601(j["run"]["started_at"].get<std::string>());
  ASSERT_TRUE(started.has_value());
  EXPECT_GE(*since, *started);
  // Still waiting: nothing more than the volumes hold was staged.
  EXPECT_LE(staged_file_count(), 4u);

  // The text form says it in words.
  auto text = s5j({"status", "-c", cfg});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  const auto line = text.out.find("activity: waiting for staging space");
  EXPECT_NE(line, std::string::npos) << text.out;
  if (line != std::string::npos) std::cout << "[ info ] " << text.out.substr(line, text.out.find('\n', line) - line) << "\n";

  // SIGTERM ends the wait for space and the run, cleanly.
  run.kill(SIGTERM);
  auto result = run.wait();
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const Json after = status_json(cfg);
  EXPECT_EQ(after["run"]["active"], false) << after.dump(2);
  EXPECT_TRUE(after["run"]["activity"].is_null());
}

// A relay without --once lists the source again every scan_interval once
// everything is done; in between, status says it is scanning and when the
// next listing is due.
TEST_F(StatusActivityTest, ContinuousRelayWithEverythingDoneReportsScanning) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_,
                                    {{"in/a", testing::random_bytes(1000, 1)}, {"in/b", testing::random_bytes(2000, 2)}}));
  const auto cfg = config();

  testing::BackgroundProcess run({testing::s5j_binary(), "relay", "-c", cfg, "--no-progress"}, {}, dir_);
  const Json j = poll_status(cfg, run, [](const Json& s) {
    return activity_name(s) == "scanning" && !s["run"]["activity"]["next_scan_at"].is_null() &&
           s["remaining"]["objects"] == 0;
  });
  ASSERT_EQ(activity_name(j), "scanning") << j.dump(2);
  EXPECT_EQ(j["remaining"]["objects"], 0) << j.dump(2);
  EXPECT_EQ(j["run"]["active"], true);
  EXPECT_EQ(j["run"]["pid"], run.pid());
  EXPECT_EQ(j["run"]["command"], "relay");
  EXPECT_TRUE(j["run"]["activity"]["wanted_bytes"].is_null());
  const auto since = parse_iso8601(j["run"]["activity"]["since"].get<std::string>());
  const auto next = parse_iso8601(j["run"]["activity"]["next_scan_at"].get<std::string>());
  ASSERT_TRUE(since && next) << j["run"]["activity"].dump();
  // scan_interval is 1 s in this fixture; the next scan is rounded up to a
  // whole second.
  EXPECT_GE(*next, *since);
  EXPECT_LE(*next - *since, seconds(3));
  expect_identical();

  run.kill(SIGTERM);
  auto result = run.wait();
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(status_json(cfg)["run"]["active"], false);
}

}  // namespace
}  // namespace s5j::relay_test
