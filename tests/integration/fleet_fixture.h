// The fixture of the fleet tests: several s5j processes on one job through
// a PostgreSQL ledger (a real PostgreSQL 15, fixture "postgres", and the two
// real gateways). Each test is its own job on the shared server (a unique
// job name), with its own buckets.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ledger/open_ledger.h"
#include "support/job_files.h"
#include "support/process.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"

namespace s5j {

using testing::events_named;
using testing::SeedObject;

inline constexpr uint64_t kMiB = 1024 * 1024;

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("fleet");
    job_ = testing::unique_bucket_name("fleet");
    src_ = testing::make_test_client(testing::endpoint_a());
    dst_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("fleetsrc");
    dst_bucket_ = testing::unique_bucket_name("fleetdst");
    ASSERT_TRUE(src_->create_bucket(src_bucket_).has_value());
    ASSERT_TRUE(dst_->create_bucket(dst_bucket_).has_value());
  }
  void TearDown() override {
    testing::remove_bucket(*src_, src_bucket_);
    testing::remove_bucket(*dst_, dst_bucket_);
  }

  std::vector<SeedObject> seed(int small, int big) {
    std::vector<SeedObject> objects;
    for (int i = 0; i < small; ++i)
      objects.push_back({"in/small/" + std::to_string(i), testing::random_bytes(30000 + 17 * i, i + 1)});
    for (int i = 0; i < big; ++i)
      objects.push_back({"in/big/" + std::to_string(i), testing::random_bytes(12 * kMiB, 900 + i)});
    EXPECT_TRUE(testing::seed_objects(*src_, src_bucket_, objects, 16));
    return objects;
  }

  // A 3 s lease, so a dead worker's objects come back quickly; each side
  // capped so that the run lasts long enough to act on it midway.
  std::string config(const std::string& bandwidth) {
    const std::string side = "  max_bandwidth: " + bandwidth + "\n";
    return testing::write_job_config(
        {{testing::endpoint_a(), src_bucket_, "in/", side},
         {testing::endpoint_b(), dst_bucket_, "out/", side},
         dir_,
         "job:\n  name: " + job_ +
             "\ntransfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 3\n",
         "  postgres_url: " + testing::postgres_url() + "\n  lease_timeout: 3\n"});
  }

  testing::BackgroundProcess* start_worker(const std::string& cfg) {
    const std::string out = dir_ + "/worker-" + std::to_string(workers_.size());
    std::filesystem::create_directories(out);
    workers_.push_back(std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"},
        std::vector<std::string>{}, out));
    return workers_.back().get();
  }

  // Events called `name` in the log of the run with `pid` (logs in
  // `dir`/logs; default: the test's directory).
  std::vector<nlohmann::json> events_of(int pid, const std::string& name, const std::string& dir = {}) {
    for (const auto& f : testing::log_files((dir.empty() ? dir_ : dir) + "/logs"))
      if (f.find("-" + std::to_string(pid) + ".jsonl") != std::string::npos)
        return events_named(testing::read_event_file(f), name);
    return {};
  }

  // Polls until `done` holds (the logs, not time); at most ~90 s.
  static bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 4500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Every record of the job in the shared ledger, in key order.
  std::vector<ledger::ObjectRecord> records() {
    std::vector<ledger::ObjectRecord> out;
    auto ledger = ledger::open_ledger({.location = testing::postgres_url()});
    EXPECT_TRUE(ledger.has_value()) << ledger.error().describe();
    if (!ledger) return out;
    auto job = (*ledger)->find_job(job_);
    EXPECT_TRUE(job && *job);
    if (!job || !*job) return out;
    auto st = ledger::for_each_object(**ledger, (**job).id, [&](const ledger::ObjectRecord& r) -> Status {
      out.push_back(r);
      return {};
    });
    EXPECT_TRUE(st.has_value());
    return out;
  }

  std::map<std::string, uint32_t> attempts_by_key() {
    std::map<std::string, uint32_t> out;
    for (const auto& r : records()) out[r.key] = r.attempts;
    return out;
  }

  // Every worker's output, for a failure message (stops them all).
  std::string outputs() {
    std::string out;
    for (size_t i = 0; i < workers_.size(); ++i) {
      workers_[i]->kill(SIGKILL);
      auto r = workers_[i]->wait();
      out += "\nworker " + std::to_string(i) + " exit " + std::to_string(r.exit_code) + ": " + r.out + r.err;
    }
    return out;
  }

  static std::set<std::string> keys_of(const std::vector<nlohmann::json>& events) {
    std::set<std::string> keys;
    for (const auto& e : events) keys.insert(e["key"].get<std::string>());
    return keys;
  }

  // The job in the shared ledger: every object verified.
  void expect_job_verified(size_t objects) {
    auto ledger = ledger::open_ledger({.location = testing::postgres_url()});
    ASSERT_TRUE(ledger.has_value()) << ledger.error().describe();
    auto job = (*ledger)->find_job(job_);
    ASSERT_TRUE(job && *job);
    auto totals = (*ledger)->totals((**job).id);
    ASSERT_TRUE(totals.has_value());
    uint64_t verified = 0, total = 0;
    for (const auto& t : *totals) {
      total += t.objects;
      if (t.state == ledger::ObjectState::verified) verified = t.objects;
    }
    EXPECT_EQ(total, objects);
    EXPECT_EQ(verified, objects);
  }

  std::string dir_, job_;
  std::unique_ptr<s3::S3Client> src_, dst_;
  std::string src_bucket_, dst_bucket_;
  std::vector<std::unique_ptr<testing::BackgroundProcess>> workers_;
};

}  // namespace s5j
