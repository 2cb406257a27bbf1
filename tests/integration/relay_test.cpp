// The staged relay end to end (`s5j relay`, `s5j stage`, `s5j drain`)
// against two independent Ceph RGWs, with two staging directories: 500
// objects arrive byte-identical with the volumes left empty; a staging
// capacity smaller than the data set is never exceeded (back-pressure); an
// object no volume can hold is reported, never attempted; staging batches
// respect staging.max_batch_bytes; stage and drain
// run as two processes at once and one after the other (each side unable
// to reach the other's bucket); role locks exclude what they must.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "integration/relay_test_support.h"

namespace s5j::relay_test {
namespace {

using testing::events_named;
using testing::read_events;
using testing::SeedObject;

TEST_F(RelayTest, FiveHundredObjectsRelayIdenticalAndVolumesEndEmpty) {
  std::vector<SeedObject> objects;
  uint64_t seed = 1;
  for (const auto& k : hostile_keys()) objects.push_back({"in/" + k, testing::random_bytes(100 + seed * 7, seed++)});
  for (int i = 0; i < 10; ++i) objects.push_back({"in/empty/" + std::to_string(i), ""});
  for (int i = 0; i < 3; ++i)
    objects.push_back({"in/large/single-" + std::to_string(i), testing::random_bytes(13 * kMiB + i, seed++)});
  for (int i = 0; i < 2; ++i)
    objects.push_back({"in/large/mpu5-" + std::to_string(i), testing::random_bytes(12 * kMiB + 77, seed++), 5 * kMiB});
  objects.push_back({"in/large/mpu6", testing::random_bytes(14 * kMiB, seed++), 6 * kMiB});
  while (objects.size() < 499)
    objects.push_back({"in/small/" + std::to_string(objects.size()), testing::random_bytes(seed % 20000, seed++)});
  objects.push_back({"elsewhere/not-relayed", "x"});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));
  // One object with metadata: it travels with the staged copy.
  s3::PutOptions meta;
  meta.metadata.headers = {{"Content-Type", "application/x-survey"}, {"x-amz-meta-origin", "forward edge"}};
  const std::string body = "with metadata";
  ASSERT_TRUE(src_client_->put_object(src_bucket_, "in/meta", s3::BodySource{.size = body.size(), .data = body}, meta));

  auto r = s5j({"relay", "--once", "-c", config(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("relay complete: 500 objects staged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("and 500 objects uploaded and verified"), std::string::npos) << r.out;
  expect_identical();
  expect_no_open_uploads();
  expect_volumes_empty();
  for (const auto& [state, n] : totals())
    EXPECT_EQ(n, state == ledger::ObjectState::verified ? 500u : 0u) << ledger::to_string(state);
  auto head = dst_client_->head_object(dst_bucket_, "out/meta");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(http::find_header(head->metadata.headers, "content-type").value_or(""), "application/x-survey");
  EXPECT_EQ(http::find_header(head->metadata.headers, "x-amz-meta-origin").value_or(""), "forward edge");
  // Same part layout as the source: the destination ETag equals it.
  auto src_mpu = src_client_->head_object(src_bucket_, "in/large/mpu5-1");
  auto dst_mpu = dst_client_->head_object(dst_bucket_, "out/large/mpu5-1");
  ASSERT_TRUE(src_mpu && dst_mpu);
  EXPECT_EQ(src_mpu->etag, dst_mpu->etag);

  // Every object uploaded was staged (the ledger hands out only durably
  // staged objects; the log line may come a little later), and each was
  // verified once.
  auto events = read_events(dir_ + "/logs");
  std::set<std::string> staged;
  for (const auto& e : events_named(events, "object_staged")) staged.insert(e["key"]);
  EXPECT_EQ(staged.size(), 500u);
  std::map<std::string, int> verified;
  for (const auto& e : events) {
    const std::string name = e.value("event", "");
    if (name == "upload_started") {
      EXPECT_TRUE(staged.count(e["key"])) << "uploaded but never staged: " << e["key"];
    }
    if (name == "object_verified") ++verified[e["key"]];
  }
  EXPECT_EQ(verified.size(), 500u);
  for (const auto& [key, n] : verified) EXPECT_EQ(n, 1) << key;
  std::map<std::string, bool> ranged;
  for (const auto& e : events_named(events, "object_staged")) ranged[e["key"]] = e["ranged"];
  EXPECT_TRUE(ranged["in/large/single-0"]);  // ranged GETs in parallel above the threshold
  EXPECT_FALSE(ranged["in/small/300"]);

  // Nothing left to do: a second run moves nothing.
  auto again = s5j({"relay", "--once", "-c", config(), "--no-progress"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("relay complete: 0 objects staged"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("500 of 500 objects verified"), std::string::npos) << again.out;
  auto files = testing::log_files(dir_ + "/logs");
  ASSERT_EQ(files.size(), 2u);
  const auto second = testing::read_event_file(files.back()).size() > testing::read_event_file(files.front()).size()
                          ? testing::read_event_file(files.front())
                          : testing::read_event_file(files.back());
  EXPECT_TRUE(events_named(second, "object_started").empty());
  EXPECT_TRUE(events_named(second, "upload_started").empty());
}

// Two volumes of 8 MiB each (staging.volume_limit) for 61 MiB of data: the
// relay completes, and sampling the volumes while it runs never finds more
// than the limit on one.
TEST_F(RelayTest, BackPressureKeepsEachVolumeUnderItsLimit) {
  std::vector<SeedObject> objects;
  uint64_t total = 0;
  for (int i = 0; i < 40; ++i) objects.push_back({"in/mib/" + std::to_string(i), testing::random_bytes(kMiB, 100 + i)});
  for (int i = 0; i < 3; ++i) objects.push_back({"in/seven/" + std::to_string(i), testing::random_bytes(7 * kMiB, 200 + i)});
  for (const auto& o : objects) total += o.data.size();
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));
  constexpr uint64_t kLimit = 8 * kMiB;
  ASSERT_GT(total, 2 * kLimit);
  const auto cfg = config("  volume_limit: 8MiB\n");

  testing::BackgroundProcess run({testing::s5j_binary(), "relay", "--once", "-c", cfg, "--no-progress"}, {}, dir_);
  uint64_t peak = 0;
  size_t samples = 0;
  while (run.running()) {  // sampling what the test can observe, until the run ends
    for (const auto& v : volumes_) {
      const uint64_t used = files_on(v).bytes();
      peak = std::max(peak, used);
      EXPECT_LE(used, kLimit) << v << " holds " << used << " bytes, more than its limit";
    }
    ++samples;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto result = run.wait();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_GT(samples, 0u);
  EXPECT_GT(peak, 0u) << "the sampling never saw a staged file";
  EXPECT_LE(peak, kLimit);
  expect_identical();
  expect_volumes_empty();
  // The staging layer said so when it had to wait (an event per wait).
  const auto waits = events_named(read_events(dir_ + "/logs"), "waiting_for_space");
  std::cout << "[ info ] peak " << peak << " bytes on one volume, " << waits.size() << " waits for space, " << samples
            << " samples\n";
}

TEST_F(RelayTest, ObjectLargerThanAnyVolumeIsReportedNeverAttempted) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_,
                                    {{"in/fits", testing::random_bytes(1000, 1)},
                                     {"in/huge", testing::random_bytes(3 * kMiB, 2)}}));
  auto r = s5j({"relay", "--once", "-c", config("  volume_limit: 2MiB\n"), "--no-progress"});
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;
  EXPECT_NE(r.err.find("in/huge: TooLarge: object of 3145728 bytes is larger than any staging volume can hold"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(record("in/huge").state, ledger::ObjectState::failed);
  EXPECT_EQ(record("in/fits").state, ledger::ObjectState::verified);
  auto events = read_events(dir_ + "/logs");
  for (const auto& e : events_named(events, "object_downloaded")) EXPECT_NE(e["key"], "in/huge");
  EXPECT_EQ(dst_client_->head_object(dst_bucket_, "out/huge").error().code, "NoSuchKey");
  expect_volumes_empty();
}

// staging.max_batch_bytes (their "max transfer size (source to local)"):
// ten 1 MiB objects in batches of at most 3 MiB — three full batches and a
// last one, each started when the one before was staged.
TEST_F(RelayTest, MaxBatchBytesBoundsEachStagingBatch) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 10; ++i) objects.push_back({"in/" + std::to_string(i), testing::random_bytes(kMiB, 300 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  auto r = s5j({"stage", "--once", "-c", config("  max_batch_bytes: 3MiB\n"), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto events = read_events(dir_ + "/logs");
  const auto batches = events_named(events, "batch_done");
  ASSERT_EQ(batches.size(), 3u);
  for (const auto& b : batches) EXPECT_EQ(b["bytes"], 3 * kMiB);
  // No object of a batch was staged after the next batch began.
  size_t staged_before_last_batch = 0;
  for (const auto& e : events) {
    if (e["event"] == "batch_done" && e["batch"] == 3) break;
    if (e["event"] == "object_downloaded") ++staged_before_last_batch;
  }
  EXPECT_EQ(staged_before_last_batch, 9u);
  EXPECT_EQ(totals()[ledger::ObjectState::staged], 10u);
}

std::vector<SeedObject> mixed_objects(int small, uint64_t seed) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < small; ++i)
    objects.push_back({"in/s/" + std::to_string(i), testing::random_bytes(2000 + i * 13, seed + i)});
  objects.push_back({"in/empty", ""});
  objects.push_back({"in/big-single", testing::random_bytes(11 * kMiB + 5, seed + 1000)});
  objects.push_back({"in/big-mpu", testing::random_bytes(12 * kMiB, seed + 1001), 5 * kMiB});
  return objects;
}

// Two processes on one ledger at the same time, as the original ran
// src_sync_mvol.py and dest_sync_mvol.py side by side.
TEST_F(RelayTest, StageAndDrainAsTwoProcessesAtOnce) {
  const auto objects = mixed_objects(120, 10);
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));
  const auto cfg = config();
  testing::BackgroundProcess stage({testing::s5j_binary(), "stage", "--once", "-c", cfg, "--no-progress"}, {}, dir_);
  // The drain starts once the stage run holds its lock (its log says so).
  bool started = false;
  for (int i = 0; i < 3000 && !started; ++i) {
    for (const auto& f : testing::log_files(dir_ + "/logs"))
      if (!events_named(testing::read_event_file(f), "run_started").empty()) started = true;
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(started);
  testing::BackgroundProcess drain({testing::s5j_binary(), "drain", "--once", "-c", cfg, "--no-progress"}, {}, dir_);
  auto staged = stage.wait();
  auto drained = drain.wait();
  ASSERT_EQ(staged.exit_code, 0) << staged.out << staged.err;
  ASSERT_EQ(drained.exit_code, 0) << drained.out << drained.err;
  EXPECT_NE(staged.out.find("stage complete: 123 objects staged"), std::string::npos) << staged.out;
  EXPECT_NE(drained.out.find("drain complete: 123 objects uploaded and verified"), std::string::npos) << drained.out;
  expect_identical();
  expect_no_open_uploads();
  expect_volumes_empty();
  EXPECT_EQ(totals()[ledger::ObjectState::verified], 123u);
}

// Stage now at the edge (the destination cannot be reached from there),
// drain later elsewhere (the source cannot be reached): the ledger file and
// the volumes are what travels.
TEST_F(RelayTest, StageNowDrainLaterEachSideBlindToTheOther) {
  const auto objects = mixed_objects(60, 20);
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));
  const std::string nowhere = "http://127.0.0.1:9";  // discard port: nothing listens
  auto staged = s5j({"stage", "--once", "-c", config("", "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n", "", nowhere),
                     "--no-progress"});
  ASSERT_EQ(staged.exit_code, 0) << staged.out << staged.err;
  EXPECT_NE(staged.out.find("stage complete: 63 objects staged"), std::string::npos) << staged.out;
  EXPECT_EQ(totals()[ledger::ObjectState::staged], 63u);
  EXPECT_EQ(staged_file_count(), 63u);  // the empty object too: as a 0-byte file
  EXPECT_TRUE(testing::bucket_digests(*dst_client_, dst_bucket_, "out/").empty());

  auto drained = s5j({"drain", "--once", "-c", config("", "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n", nowhere, ""),
                      "--no-progress"});
  ASSERT_EQ(drained.exit_code, 0) << drained.out << drained.err;
  EXPECT_NE(drained.out.find("drain complete: 63 objects uploaded and verified"), std::string::npos) << drained.out;
  expect_identical();
  expect_no_open_uploads();
  expect_volumes_empty();
}

// Locks per role: a second stage run and a relay are refused while a stage
// runs; SIGTERM stops the continuous stage run cleanly (exit 0).
TEST_F(RelayTest, RoleLocksExcludeWhatTheyMustAndSigtermStopsCleanly) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/a", "aaa"}, {"in/b", "bbbb"}}));
  const auto cfg = config();
  testing::BackgroundProcess stage({testing::s5j_binary(), "stage", "-c", cfg, "--no-progress"}, {}, dir_);
  // Continuous mode: once both are staged it scans the source again.
  bool scanning = false;
  for (int i = 0; i < 3000 && !scanning && stage.running(); ++i) {
    const auto events = read_events(dir_ + "/logs");
    scanning = events_named(events, "object_staged").size() == 2 && !events_named(events, "scanning").empty();
    if (!scanning) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(scanning) << "the stage run did not go on scanning";
  auto second = s5j({"stage", "--once", "-c", cfg, "--no-progress"});
  EXPECT_EQ(second.exit_code, 13) << second.out << second.err;
  EXPECT_NE(second.err.find("already has a stage run as pid " + std::to_string(stage.pid())), std::string::npos)
      << second.err;
  auto relay = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  EXPECT_EQ(relay.exit_code, 13) << relay.out << relay.err;
  auto sync = s5j({"sync", "-c", cfg, "--no-progress"});
  EXPECT_NE(sync.exit_code, 0) << "a sync must not run on a staged job";
  // A new source object is picked up by the next scan.
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/c", "ccccc"}}));
  bool picked = false;
  for (int i = 0; i < 3000 && !picked; ++i) {
    for (const auto& e : events_named(read_events(dir_ + "/logs"), "object_staged")) picked = picked || e["key"] == "in/c";
    if (!picked) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(picked) << "a new source object was not staged by the continuous run";
  stage.kill(SIGTERM);
  auto stopped = stage.wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find("stage stopped: 3 objects staged"), std::string::npos) << stopped.out;
  // The drain, alone now, finishes the job.
  auto drained = s5j({"drain", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(drained.exit_code, 0) << drained.out << drained.err;
  expect_identical();
  expect_volumes_empty();
}

}  // namespace
}  // namespace s5j::relay_test
