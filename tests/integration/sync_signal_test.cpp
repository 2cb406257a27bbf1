// `s5j sync` as a service sees it: systemd stops it with SIGTERM (and
// Ctrl-C sends SIGINT). The first signal stops claiming, lets what is in
// flight finish or checkpoint, commits the ledger and exits 0; the next
// start resumes without sending verified data again.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "ledger/open_ledger.h"
#include "support/job_files.h"
#include "support/process.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"

namespace s5j {
namespace {

using testing::events_named;
using testing::JobConfig;
using testing::SeedObject;

constexpr uint64_t kMiB = 1024 * 1024;

class SyncSignalTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("signal");
    src_ = testing::make_test_client(testing::endpoint_a());
    dst_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("sigsrc");
    dst_bucket_ = testing::unique_bucket_name("sigdst");
    auto created_src_ = src_->create_bucket(src_bucket_);
    ASSERT_TRUE(created_src_.has_value()) << created_src_.error().describe();
    auto created_dst_ = dst_->create_bucket(dst_bucket_);
    ASSERT_TRUE(created_dst_.has_value()) << created_dst_.error().describe();
  }
  void TearDown() override {
    testing::remove_bucket(*src_, src_bucket_);
    testing::remove_bucket(*dst_, dst_bucket_);
  }

  // 300 small objects and three multipart ones (so a stop also finds
  // uploads half done), at the source.
  std::vector<SeedObject> seed() {
    std::vector<SeedObject> objects;
    for (int i = 0; i < 300; ++i)
      objects.push_back({"in/small/" + std::to_string(i), testing::random_bytes(20000 + 13 * i, i + 1)});
    for (int i = 0; i < 3; ++i)
      objects.push_back({"in/big/" + std::to_string(i), testing::random_bytes(16 * kMiB, 700 + i)});
    EXPECT_TRUE(testing::seed_objects(*src_, src_bucket_, objects, 16));
    return objects;
  }
  std::string config(const std::string& destination_yaml = {}) {
    return testing::write_job_config(JobConfig{{testing::endpoint_a(), src_bucket_, "in/"},
                                               {testing::endpoint_b(), dst_bucket_, "out/", destination_yaml},
                                               dir_,
                                               "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 2\n"});
  }
  // Sends `signal` once the run's log holds `count` events called `event`;
  // polls the log, at most ~60 s. False when the run ended first.
  bool signal_after(testing::BackgroundProcess& run, int signal, const std::string& event, size_t count) {
    for (int i = 0; i < 3000 && run.running(); ++i) {
      auto files = testing::log_files(dir_ + "/logs");
      if (!files.empty() && events_named(testing::read_event_file(files.back()), event).size() >= count) {
        run.kill(signal);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the log, not waiting for time
    }
    return false;
  }
  // The run must end by itself: waits at most ~60 s, asserting no duration.
  static bool ends_within_a_minute(testing::BackgroundProcess& run) {
    for (int i = 0; i < 3000; ++i) {
      if (!run.running()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string dir_;
  std::unique_ptr<s3::S3Client> src_, dst_;
  std::string src_bucket_, dst_bucket_;
};

TEST_P(SyncSignalTest, FirstSignalStopsCleanlyAndTheRestartResumesWithoutResending) {
  const int signal = GetParam();
  const auto objects = seed();
  const auto cfg = config();
  const std::string logs = dir_ + "/logs";

  testing::BackgroundProcess run({testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
  ASSERT_TRUE(signal_after(run, signal, "object_verified", 20)) << "the run ended before it could be signalled";
  ASSERT_TRUE(ends_within_a_minute(run)) << "s5j sync did not stop within 60 s of the signal";
  auto stopped = run.wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_NE(stopped.err.find("stopping"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.out.find("sync stopped"), std::string::npos) << stopped.out;

  auto first_files = testing::log_files(logs);
  ASSERT_EQ(first_files.size(), 1u);
  const auto first = testing::read_event_file(first_files[0]);
  EXPECT_EQ(events_named(first, "stop_requested").size(), 1u);
  const auto summary = events_named(first, "run_summary");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0]["stopped"], true);
  std::set<std::string> verified_first;
  for (const auto& e : events_named(first, "object_verified")) verified_first.insert(e["key"].get<std::string>());
  EXPECT_LT(verified_first.size(), objects.size()) << "the stop came too late to stop anything";

  // The ledger is consistent: nothing left in flight or leased, the lock
  // released, the run recorded as stopped with exit code 0, every object
  // the log calls verified is verified, and every multipart upload still
  // open at the destination is one the ledger knows (to resume or abort).
  {
    auto ledger = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    ASSERT_TRUE(ledger.has_value()) << ledger.error().describe();
    auto job = (*ledger)->find_job("default");
    ASSERT_TRUE(job && *job);
    const auto id = (**job).id;
    uint64_t total = 0;
    auto totals = (*ledger)->totals(id);
    ASSERT_TRUE(totals.has_value());
    for (const auto& t : *totals) {
      total += t.objects;
      if (ledger::is_active(t.state) || t.state == ledger::ObjectState::failed) {
        EXPECT_EQ(t.objects, 0u) << ledger::to_string(t.state);
      }
      if (t.state == ledger::ObjectState::verified) {
        EXPECT_GE(t.objects, verified_first.size());
      }
    }
    EXPECT_EQ(total, objects.size());
    auto st = ledger::for_each_object(**ledger, id, [](const ledger::ObjectRecord& r) -> Status {
      EXPECT_TRUE(r.lease_owner.empty()) << r.key << " still leased to " << r.lease_owner;
      return {};
    });
    EXPECT_TRUE(st.has_value());
    for (const auto& key : verified_first)
      EXPECT_EQ((*(*ledger)->find_object(id, key))->state, ledger::ObjectState::verified) << key;
    EXPECT_FALSE((*ledger)->job_lock_holder(id)->has_value());
    auto runs = (*ledger)->runs(id, 1);
    ASSERT_TRUE(runs && !runs->empty());
    EXPECT_EQ(runs->front().outcome, "stopped");
    EXPECT_EQ(runs->front().exit_code, 0);
    std::set<std::string> known;
    auto uploads = (*ledger)->open_uploads(id);
    ASSERT_TRUE(uploads.has_value());
    for (const auto& u : *uploads) known.insert(u.upload_id);
    auto open = dst_->list_multipart_uploads(dst_bucket_, "");
    ASSERT_TRUE(open.has_value());
    for (const auto& u : open->uploads) EXPECT_TRUE(known.contains(u.upload_id)) << "orphaned upload of " << u.key;
  }

  // The restart completes, and starts nothing the first run verified.
  testing::BackgroundProcess again({testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
  auto resumed = again.wait();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  auto files = testing::log_files(logs);
  ASSERT_EQ(files.size(), 2u);
  const auto second = testing::read_event_file(files.back());
  for (const auto& e : events_named(second, "object_started"))
    EXPECT_EQ(verified_first.count(e["key"].get<std::string>()), 0u) << "verified object sent again: " << e["key"];
  EXPECT_EQ(events_named(second, "object_verified").size() + verified_first.size(), objects.size());
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  auto open = dst_->list_multipart_uploads(dst_bucket_, "");
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(open->uploads.empty());
}

// A second signal does not wait for what is in flight: exit 130 at once.
// The ledger is consistent anyway (every commit is atomic) and the next run
// completes without sending again what the first run verified.
// The two signals must be apart (a signal sent while the same one is still
// pending is merged with it): the second goes once the first was taken
// ("stopping" on stderr), while multipart parts are still in flight (the
// destination is capped at 8 MiB/s so that a 5 MiB part takes a while).
TEST_P(SyncSignalTest, SecondSignalExitsAtOnceAndTheNextRunResumes) {
  const auto objects = seed();
  const auto cfg = config("  max_bandwidth: 8MiB\n");
  const std::string logs = dir_ + "/logs";
  const std::string out_dir = dir_ + "/second-signal";
  std::filesystem::create_directories(out_dir);
  testing::BackgroundProcess run({testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, out_dir);
  ASSERT_TRUE(signal_after(run, GetParam(), "part_done", 1)) << "the run ended before it could be signalled";
  bool twice = false;
  for (int i = 0; i < 3000 && run.running() && !twice; ++i) {  // at most ~60 s
    for (const auto& entry : std::filesystem::directory_iterator(out_dir)) {
      if (entry.path().extension() != ".err") continue;
      std::ifstream in(entry.path());
      const std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (err.find("stopping") != std::string::npos) {
        run.kill(GetParam());
        twice = true;
      }
    }
    if (!twice) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling stderr
  }
  ASSERT_TRUE(twice) << "the run ended before the second signal";
  ASSERT_TRUE(ends_within_a_minute(run));
  auto killed = run.wait();
  EXPECT_EQ(killed.exit_code, 130) << killed.out << killed.err;
  EXPECT_NE(killed.err.find("exiting at once"), std::string::npos) << killed.err;

  std::set<std::string> verified_first;
  for (const auto& e : events_named(testing::read_event_file(testing::log_files(logs).at(0)), "object_verified"))
    verified_first.insert(e["key"].get<std::string>());
  auto again = testing::run_process({testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const auto second = testing::read_event_file(testing::log_files(logs).at(1));
  for (const auto& e : events_named(second, "object_started"))
    EXPECT_EQ(verified_first.count(e["key"].get<std::string>()), 0u) << "verified object sent again: " << e["key"];
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  auto open = dst_->list_multipart_uploads(dst_bucket_, "");
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(open->uploads.empty());
  auto ledger = ledger::open_ledger({.location = dir_ + "/ledger.db"});
  ASSERT_TRUE(ledger.has_value()) << ledger.error().describe();
  auto job = (*ledger)->find_job("default");
  ASSERT_TRUE(job && *job);
  auto totals = (*ledger)->totals((**job).id);
  ASSERT_TRUE(totals.has_value());
  for (const auto& t : *totals)
    EXPECT_EQ(t.objects, t.state == ledger::ObjectState::verified ? objects.size() : 0u) << ledger::to_string(t.state);
}

INSTANTIATE_TEST_SUITE_P(Signals, SyncSignalTest, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGTERM ? "Sigterm" : "Sigint");
                         });

}  // namespace
}  // namespace s5j
