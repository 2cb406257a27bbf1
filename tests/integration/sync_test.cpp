// `s5j sync` end to end against two independent Ceph RGWs (data streams
// through s5j), and on one RGW (server-side copy): byte-identical results,
// a second run that copies nothing, and resume after SIGKILL at several
// points without copying verified data again.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
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
using testing::read_events;
using testing::SeedObject;

constexpr uint64_t kMiB = 1024 * 1024;
// Small part and threshold so "large" objects stay cheap to test.
const char* kTransferYaml = "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 8\n";

testing::ProcessResult s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv);
}

std::vector<std::string> hostile_keys() {
  return {"with space/and  two  spaces.bin", "plus+equals=percent%25tilde~", "unicode/日本語/Ünïcödé-\xF0\x9F\x98\x80",
          "double//slash", "dot/./segment", "dotdot/../segment", "query?like&this=1#hash",
          "quote\"apostrophe'semi;colon:comma,", std::string("control-\x01-\x1f-chars"),
          std::string(300, 'k') + "/" + std::string(300, 'l')};
}

class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("sync");
    src_client_ = testing::make_test_client(testing::endpoint_a());
    dst_client_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("src");
    dst_bucket_ = testing::unique_bucket_name("dst");
    ASSERT_TRUE(src_client_->create_bucket(src_bucket_).has_value());
    ASSERT_TRUE(dst_client_->create_bucket(dst_bucket_).has_value());
  }
  void TearDown() override {
    testing::remove_bucket(*src_client_, src_bucket_);
    testing::remove_bucket(*dst_client_, dst_bucket_);
  }
  std::string config(const std::string& extra = kTransferYaml) {
    return testing::write_job_config(JobConfig{{testing::endpoint_a(), src_bucket_, "in/"},
                                               {testing::endpoint_b(), dst_bucket_, "out/"},
                                               dir_,
                                               extra});
  }
  void expect_identical() {
    auto src = testing::bucket_digests(*src_client_, src_bucket_, "in/");
    auto dst = testing::bucket_digests(*dst_client_, dst_bucket_, "out/");
    EXPECT_EQ(src.size(), dst.size());
    EXPECT_TRUE(src == dst) << "source and destination differ";
  }
  void expect_no_open_uploads() {
    auto uploads = dst_client_->list_multipart_uploads(dst_bucket_, "");
    ASSERT_TRUE(uploads.has_value()) << uploads.error().describe();
    EXPECT_TRUE(uploads->uploads.empty()) << uploads->uploads.size() << " multipart uploads left behind";
  }

  std::string dir_;
  std::unique_ptr<s3::S3Client> src_client_, dst_client_;
  std::string src_bucket_, dst_bucket_;
};

// 1,000 objects: hostile keys, 0-byte objects, objects above the multipart
// threshold (single-part sources, 5 MiB-part sources whose ETag can be
// reproduced, and 6 MiB-part sources whose layout is not guessable).
TEST_F(SyncTest, ThousandObjectsArriveIdenticalAndSecondRunCopiesNothing) {
  std::vector<SeedObject> objects;
  uint64_t seed = 1;
  for (const auto& k : hostile_keys()) objects.push_back({"in/" + k, testing::random_bytes(100 + seed * 7, seed++)});
  for (int i = 0; i < 10; ++i) objects.push_back({"in/empty/" + std::to_string(i), ""});
  for (int i = 0; i < 3; ++i) objects.push_back({"in/large/single-" + std::to_string(i), testing::random_bytes(13 * kMiB + i, seed++)});
  for (int i = 0; i < 2; ++i)
    objects.push_back({"in/large/mpu5-" + std::to_string(i), testing::random_bytes(12 * kMiB + 77, seed++), 5 * kMiB});
  objects.push_back({"in/large/mpu6", testing::random_bytes(14 * kMiB, seed++), 6 * kMiB});
  while (objects.size() < 1000)
    objects.push_back({"in/small/" + std::to_string(objects.size()), testing::random_bytes(seed % 20000, seed++)});
  objects.push_back({"elsewhere/not-copied", "x"});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));

  auto first = s5j({"sync", "-c", config(), "--no-progress"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("sync complete: 1000 objects copied and verified"), std::string::npos) << first.out;
  expect_identical();
  expect_no_open_uploads();

  auto events = read_events(dir_ + "/logs");
  auto verified = events_named(events, "object_verified");
  ASSERT_EQ(verified.size(), 1000u);
  std::map<std::string, std::string> method;
  for (const auto& e : verified) method[e["key"]] = e["method"];
  EXPECT_EQ(method["in/large/single-0"], "multipart");
  EXPECT_EQ(method["in/small/500"], "put");
  for (const auto& e : verified)
    if (e["key"] == "in/large/mpu5-0") {
      EXPECT_EQ(e["proof"].get<std::string>().rfind("the destination's part ETags", 0), 0u) << e.dump();
    }
  // The ETags the destination reports match the source where the layouts do.
  auto src_head = src_client_->head_object(src_bucket_, "in/large/mpu5-1");
  auto dst_head = dst_client_->head_object(dst_bucket_, "out/large/mpu5-1");
  ASSERT_TRUE(src_head && dst_head);
  EXPECT_EQ(src_head->etag, dst_head->etag);
  EXPECT_TRUE(dst_client_->head_object(dst_bucket_, "out/../elsewhere/not-copied").error().code == "NoSuchKey");

  // A re-scan of a finished job writes no object record: an unchanged
  // object costs a lookup, not a write (each record's updated_at stays).
  auto records = [&] {
    std::map<std::string, int64_t> updated;
    auto ledger = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    EXPECT_TRUE(ledger.has_value());
    if (!ledger) return updated;
    const auto job = (*ledger)->find_job("default");
    EXPECT_TRUE(job.has_value() && job->has_value());
    ledger::ListQuery query;
    for (;;) {
      auto page = (*ledger)->list_objects((*job)->id, query);
      EXPECT_TRUE(page.has_value());
      if (!page || page->empty()) return updated;
      for (const auto& r : *page) updated[r.key] = r.updated_at.time_since_epoch().count();
      query.after_key = page->back().key;
    }
  };
  const auto before = records();
  ASSERT_EQ(before.size(), 1000u);

  auto second = s5j({"sync", "-c", config(), "--no-progress"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("nothing to copy: all 1000 objects"), std::string::npos) << second.out;
  EXPECT_EQ(records(), before);
  auto files = testing::log_files(dir_ + "/logs");
  ASSERT_EQ(files.size(), 2u);
  auto second_events = testing::read_event_file(files.back());
  EXPECT_TRUE(events_named(second_events, "object_started").empty());
  EXPECT_EQ(events_named(second_events, "run_summary").at(0)["copied"], 0);
}

TEST_F(SyncTest, DryRunPrintsThePlanAndCopiesNothing) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_,
                                    {{"in/a", "aaa"}, {"in/b", "bbbb"}, {"in/c", std::string(1000, 'c')}}));
  // One object already identical at the destination is recognised, not copied.
  ASSERT_TRUE(testing::seed_objects(*dst_client_, dst_bucket_, {{"out/b", "bbbb"}}));
  auto r = s5j({"sync", "-c", config(), "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("copy in/a (3 bytes)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("copy in/c (1000 bytes)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("copy in/b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("would copy 2 objects (1003 bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 found identical at the destination"), std::string::npos) << r.out;
  auto dst = testing::bucket_digests(*dst_client_, dst_bucket_, "out/");
  EXPECT_EQ(dst.size(), 1u);  // nothing copied
}

TEST_F(SyncTest, ChangedSourceObjectIsCopiedAgain) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/doc", "version one"}, {"in/keep", "same"}}));
  auto first = s5j({"sync", "-c", config(), "--no-progress"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/doc", "version two, longer"}}));
  auto second = s5j({"sync", "-c", config(), "--no-progress"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("sync complete: 1 objects copied"), std::string::npos) << second.out;
  expect_identical();
}

TEST_F(SyncTest, MetadataIsCarriedOver) {
  s3::PutOptions options;
  options.metadata.headers = {{"Content-Type", "application/x-custom"},
                              {"Content-Encoding", "identity"},
                              {"Content-Disposition", "attachment; filename=\"r.bin\""},
                              {"Content-Language", "fr"},
                              {"Cache-Control", "no-cache"},
                              {"Expires", "Wed, 21 Oct 2037 07:28:00 GMT"},
                              {"x-amz-meta-origin", "forward edge"}};
  const std::string small = "small body";
  const std::string large = testing::random_bytes(7 * kMiB, 5);  // multipart path
  ASSERT_TRUE(src_client_->put_object(src_bucket_, "in/small", s3::BodySource{.size = small.size(), .data = small}, options));
  ASSERT_TRUE(src_client_->put_object(src_bucket_, "in/large", s3::BodySource{.size = large.size(), .data = large}, options));
  auto r = s5j({"sync", "-c", config(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* key : {"out/small", "out/large"}) {
    auto head = dst_client_->head_object(dst_bucket_, key);
    ASSERT_TRUE(head.has_value()) << key;
    auto find = [&](std::string_view name) {
      auto v = http::find_header(head->metadata.headers, name);
      return v ? std::string(*v) : std::string("(missing)");
    };
    EXPECT_EQ(find("content-type"), "application/x-custom") << key;
    EXPECT_EQ(find("content-encoding"), "identity") << key;
    EXPECT_EQ(find("content-disposition"), "attachment; filename=\"r.bin\"") << key;
    EXPECT_EQ(find("content-language"), "fr") << key;
    EXPECT_EQ(find("cache-control"), "no-cache") << key;
    EXPECT_EQ(find("expires"), "Wed, 21 Oct 2037 07:28:00 GMT") << key;
    EXPECT_EQ(find("x-amz-meta-origin"), "forward edge") << key;
  }
}

// Same endpoint and credentials on both sides: CopyObject / UploadPartCopy
// inside the server, proven by the destination ETag.
TEST_F(SyncTest, SameEndpointUsesServerSideCopy) {
  const std::string dst_on_a = testing::unique_bucket_name("dst-a");
  ASSERT_TRUE(src_client_->create_bucket(dst_on_a).has_value());
  std::vector<SeedObject> objects;
  for (int i = 0; i < 20; ++i) objects.push_back({"in/obj-" + std::to_string(i), testing::random_bytes(1000 + i, i)});
  objects.push_back({"in/big-single", testing::random_bytes(7 * kMiB, 99)});
  objects.push_back({"in/big-multipart", testing::random_bytes(11 * kMiB, 98), 5 * kMiB});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  const auto cfg = testing::write_job_config(JobConfig{{testing::endpoint_a(), src_bucket_, "in/"},
                                                       {testing::endpoint_a(), dst_on_a, "copied/"},
                                                       dir_,
                                                       kTransferYaml});
  auto r = s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("22 by server-side copy"), std::string::npos) << r.out;
  std::map<std::string, std::string> method;
  for (const auto& e : events_named(read_events(dir_ + "/logs"), "object_verified")) method[e["key"]] = e["method"];
  EXPECT_EQ(method["in/obj-3"], "server-copy");
  EXPECT_EQ(method["in/big-single"], "server-copy");
  EXPECT_EQ(method["in/big-multipart"], "server-multipart-copy");
  EXPECT_TRUE(testing::bucket_digests(*src_client_, src_bucket_, "in/") ==
              testing::bucket_digests(*src_client_, dst_on_a, "copied/"));
  testing::remove_bucket(*src_client_, dst_on_a);
}

// SIGKILL at several moments (mid-listing of work, mid-copy of small
// objects, in the middle of a multipart upload), restart each time: the run
// completes, every object verified, no verified object copied again, no
// multipart upload left behind, bytes sent within a small bound.
TEST_F(SyncTest, ResumesAfterSigkillWithoutCopyingVerifiedDataAgain) {
  std::vector<SeedObject> objects;
  uint64_t total = 0;
  for (int i = 0; i < 300; ++i) objects.push_back({"in/small/" + std::to_string(i), testing::random_bytes(5000 + i, i)});
  for (int i = 0; i < 4; ++i) objects.push_back({"in/big/" + std::to_string(i), testing::random_bytes(26 * kMiB, 500 + i)});
  for (const auto& o : objects) total += o.data.size();
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));
  const auto cfg = config("transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 2\n");
  const std::string logs = dir_ + "/logs";

  // Kill points, each a condition on the events of the current run.
  struct KillPoint {
    const char* name;
    std::function<bool(const std::vector<nlohmann::json>&)> reached;
  };
  const std::vector<KillPoint> points = {
      {"after the plan", [](const auto& ev) { return !events_named(ev, "plan_done").empty(); }},
      {"after 40 objects", [](const auto& ev) { return events_named(ev, "object_verified").size() >= 40; }},
      {"mid multipart upload", [](const auto& ev) { return events_named(ev, "part_done").size() >= 2; }},
  };
  int kills = 0;
  for (const auto& point : points) {
    const size_t files_before = testing::log_files(logs).size();
    testing::BackgroundProcess run({testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
    bool hit = false;
    for (int i = 0; i < 3000 && run.running(); ++i) {  // at most ~60 s
      auto files = testing::log_files(logs);
      if (files.size() > files_before && point.reached(testing::read_event_file(files.back()))) {
        run.kill(SIGKILL);
        hit = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the log, not waiting for time
    }
    auto result = run.wait();
    if (hit) {
      EXPECT_EQ(result.exit_code, 128 + SIGKILL) << point.name;
      ++kills;
    }
  }
  EXPECT_GE(kills, 2) << "the kill points were not reached: the runs were too fast to interrupt";

  auto last = s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(last.exit_code, 0) << last.out << last.err;
  expect_identical();
  expect_no_open_uploads();
  auto again = s5j({"sync", "-c", cfg, "--no-progress"});
  EXPECT_NE(again.out.find("nothing to copy: all 304 objects"), std::string::npos) << again.out;

  // No object started again once verified, over all runs in order.
  std::set<std::string> verified;
  uint64_t uploaded = 0;
  for (const auto& file : testing::log_files(logs)) {
    for (const auto& e : testing::read_event_file(file)) {
      const std::string name = e.value("event", "");
      if (name == "object_started") {
        EXPECT_EQ(verified.count(e["key"]), 0u) << "verified object copied again: " << e["key"];
      } else if (name == "object_verified") {
        verified.insert(e["key"]);
      } else if (name == "object_copied") {
        if (e["method"] == "put") uploaded += e["bytes_uploaded"].get<uint64_t>();
      } else if (name == "part_done") {
        uploaded += e["bytes"].get<uint64_t>();
      }
    }
  }
  // The ledger itself: every object verified (a kill right after a commit
  // may have cut the log line, never the ledger row).
  auto ledger = ledger::open_ledger({.location = dir_ + "/ledger.db"});
  ASSERT_TRUE(ledger.has_value());
  auto job = (*ledger)->find_job("default");
  ASSERT_TRUE(job && *job);
  auto totals = (*ledger)->totals((**job).id);
  ASSERT_TRUE(totals.has_value());
  for (const auto& t : *totals)
    EXPECT_EQ(t.objects, t.state == ledger::ObjectState::verified ? 304u : 0u) << ledger::to_string(t.state);
  // Bytes sent stay within a small bound of the data: at most what was in
  // flight at each kill (2 workers: two large objects' parts) on top.
  EXPECT_LE(uploaded, total + 3 * 2 * 26 * kMiB) << "uploaded " << uploaded << " for " << total;
  // A kill can cut the log line of the object in flight, so the log may
  // count a little less than was sent; it cannot count much less.
  EXPECT_GE(uploaded + static_cast<uint64_t>(kills) * 2 * 26 * kMiB, total);  // no unsigned underflow
}

}  // namespace
}  // namespace s5j
