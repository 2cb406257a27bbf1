// The staged relay after things go wrong: SIGKILL at several points
// (mid-download, between the staged file's rename and its ledger commit,
// mid-upload, after an upload before its cleanup), then a restart that
// completes without uploading a verified object again and leaves no staged
// file, .part or multipart upload behind; and a staged file corrupted on
// disk between stage and drain, which never reaches verified and is fetched
// again from the source; and multipart uploads orphaned at the destination
// (unknown to the ledger), which a complete relay or drain run aborts.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "integration/relay_test_support.h"

namespace s5j::relay_test {
namespace {

using testing::events_named;
using testing::read_events;
using testing::SeedObject;

TEST_F(RelayTest, ResumesAfterSigkillAtEachPointWithoutUploadingVerifiedDataAgain) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 200; ++i) objects.push_back({"in/small/" + std::to_string(i), testing::random_bytes(5000 + i, i)});
  for (int i = 0; i < 4; ++i) objects.push_back({"in/big/" + std::to_string(i), testing::random_bytes(26 * kMiB, 500 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 16));
  const auto cfg = config("", "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 2\n");
  const std::string logs = dir_ + "/logs";

  struct KillPoint {
    const char* name;
    std::function<bool(const std::vector<nlohmann::json>&)> reached;
  };
  auto has = [](const std::vector<nlohmann::json>& ev, const char* name, size_t n = 1) {
    return events_named(ev, name).size() >= n;
  };
  const std::vector<KillPoint> points = {
      {"mid-download", [&](const auto& ev) { return has(ev, "part_downloaded", 2); }},
      {"between rename and ledger commit", [&](const auto& ev) { return has(ev, "object_downloaded"); }},
      {"mid-upload", [&](const auto& ev) { return has(ev, "part_done", 2); }},
      {"after upload before cleanup", [&](const auto& ev) { return has(ev, "object_uploaded", 3); }},
  };
  std::vector<std::string> run_logs;  // in the order the runs happened
  auto new_log = [&](const std::set<std::string>& before) {
    for (const auto& f : testing::log_files(logs))
      if (!before.count(f)) return f;
    return std::string();
  };
  int kills = 0;
  for (const auto& point : points) {
    const auto before_files = testing::log_files(logs);
    const std::set<std::string> before(before_files.begin(), before_files.end());
    testing::BackgroundProcess run({testing::s5j_binary(), "relay", "--once", "-c", cfg, "--no-progress"}, {}, dir_);
    bool hit = false;
    std::string mine;
    for (int i = 0; i < 6000 && run.running(); ++i) {  // at most ~2 min
      if (mine.empty()) mine = new_log(before);
      if (!mine.empty() && point.reached(testing::read_event_file(mine))) {
        run.kill(SIGKILL);
        hit = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the log, not waiting for time
    }
    auto result = run.wait();
    if (mine.empty()) mine = new_log(before);
    if (!mine.empty()) run_logs.push_back(mine);
    if (hit) {
      EXPECT_EQ(result.exit_code, 128 + SIGKILL) << point.name;
      ++kills;
    } else {
      ASSERT_EQ(result.exit_code, 0) << point.name << ": " << result.out << result.err;
    }
  }
  EXPECT_GE(kills, 3) << "the kill points were not reached: the runs were too fast to interrupt";

  const auto before_files = testing::log_files(logs);
  auto last = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(last.exit_code, 0) << last.out << last.err;
  run_logs.push_back(new_log({before_files.begin(), before_files.end()}));
  expect_identical();
  expect_no_open_uploads();
  expect_volumes_empty();
  for (const auto& [state, n] : totals())
    EXPECT_EQ(n, state == ledger::ObjectState::verified ? 204u : 0u) << ledger::to_string(state);

  // No object uploaded again once verified, over all runs in order; the
  // restarts found and dealt with what the kills left.
  std::set<std::string> verified;
  uint64_t cleaned = 0;
  for (const auto& file : run_logs) {
    for (const auto& e : testing::read_event_file(file)) {
      const std::string name = e.value("event", "");
      if (name == "upload_started") {
        EXPECT_EQ(verified.count(e["key"]), 0u) << "verified object uploaded again: " << e["key"];
      } else if (name == "object_verified") {
        verified.insert(e["key"]);
      } else if (name == "staging_cleaned") {
        cleaned += e["partials_removed"].get<uint64_t>() + e["stale_removed"].get<uint64_t>();
      }
    }
  }
  std::cout << "[ info ] " << kills << " kills, " << cleaned << " leftover staged files cleaned by restarts\n";
}

// A kill between CreateMultipartUpload and the ledger's record of it (or a
// Create whose answer was lost) leaves an upload nobody can resume: after
// a complete run, `relay` and `drain` abort the uploads under the
// destination prefix, for keys of the job, that the ledger does not know.
// `stage` never touches the destination; another writer's uploads (a key
// the job does not copy, or outside the prefix) are left alone.
TEST_F(RelayTest, OrphanedUploadsOfTheJobAreAbortedAfterACompleteRelayOrDrain) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/a", "aaa"}, {"in/b", "bbb"}}));
  auto create = [&](const std::string& key) {
    auto id = dst_client_->create_multipart_upload(dst_bucket_, key);
    EXPECT_TRUE(id.has_value()) << key;
    return id ? *id : std::string();
  };
  auto open_uploads = [&] {
    std::set<std::string> ids;
    auto listed = dst_client_->list_multipart_uploads(dst_bucket_, "");
    EXPECT_TRUE(listed.has_value());
    if (listed)
      for (const auto& u : listed->uploads) ids.insert(u.upload_id);
    return ids;
  };
  auto aborted_keys = [&] {
    std::multiset<std::string> keys;
    for (const auto& e : events_named(read_events(dir_ + "/logs"), "orphan_upload_aborted")) keys.insert(e["key"]);
    return keys;
  };
  create("out/a");  // the job's key: an orphan
  const std::string foreign = create("out/not-in-the-job");
  const std::string outside = create("elsewhere/a");
  const auto cfg = config();

  auto relay = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(relay.exit_code, 0) << relay.out << relay.err;
  EXPECT_EQ(open_uploads(), (std::set<std::string>{foreign, outside}));
  EXPECT_EQ(aborted_keys(), (std::multiset<std::string>{"out/a"}));

  // Stage now, drain later: the orphan survives the stage run (it may not
  // see the destination) and goes with the drain run that completes.
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/c", "ccc"}}));
  const std::string orphan_c = create("out/c");
  auto stage = s5j({"stage", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(stage.exit_code, 0) << stage.out << stage.err;
  EXPECT_EQ(open_uploads(), (std::set<std::string>{orphan_c, foreign, outside}));
  auto drain = s5j({"drain", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(drain.exit_code, 0) << drain.out << drain.err;
  EXPECT_EQ(open_uploads(), (std::set<std::string>{foreign, outside}));
  EXPECT_EQ(aborted_keys(), (std::multiset<std::string>{"out/a", "out/c"}));
  expect_identical();
  expect_volumes_empty();
}

// Flips one bit of the byte at `offset` of a staged file, in place.
void flip_byte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  const auto at = static_cast<std::streamoff>(offset);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x20);
  f.seekp(at);
  f.write(&c, 1);
  ASSERT_TRUE(f.good()) << path;
}

// A byte flipped in a staged file between `stage --once` and `drain
// --once`: the drain finds it before anything is completed at the
// destination, deletes the copy and sends the object back; a later run
// fetches it again from the source.
TEST_F(RelayTest, CorruptStagedFileIsFetchedAgainFromTheSource) {
  const std::string small = testing::random_bytes(3000, 7);
  const std::string big = testing::random_bytes(13 * kMiB, 8);  // multipart upload
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_,
                                    {{"in/small", small}, {"in/big", big}, {"in/other", "untouched"}}));
  const auto cfg = config();
  auto staged = s5j({"stage", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(staged.exit_code, 0) << staged.out << staged.err;

  for (const char* key : {"in/small", "in/big"}) {
    const auto r = record(key);
    ASSERT_EQ(r.state, ledger::ObjectState::staged) << key;
    ASSERT_TRUE(r.staged.has_value());
    flip_byte(r.staged->path, r.size / 2 + 1);
  }

  auto drained = s5j({"drain", "--once", "-c", cfg, "--no-progress"});
  EXPECT_EQ(drained.exit_code, 12) << drained.out << drained.err;  // two objects still to move
  EXPECT_NE(drained.err.find("run s5j stage"), std::string::npos) << drained.err;
  auto events = read_events(dir_ + "/logs");
  std::set<std::string> corrupt;
  for (const auto& e : events_named(events, "staged_corrupt")) corrupt.insert(e["key"]);
  EXPECT_EQ(corrupt, (std::set<std::string>{"in/small", "in/big"}));
  for (const auto& e : events_named(events, "object_verified")) EXPECT_EQ(e["key"], "in/other");
  for (const char* key : {"in/small", "in/big"}) {
    const auto r = record(key);
    EXPECT_EQ(r.state, ledger::ObjectState::pending) << key;
    EXPECT_FALSE(r.staged.has_value()) << key;
    EXPECT_NE(r.last_error.find("StagedCorrupt"), std::string::npos) << r.last_error;
  }
  EXPECT_EQ(dst_client_->head_object(dst_bucket_, "out/small").error().code, "NoSuchKey");
  EXPECT_EQ(dst_client_->head_object(dst_bucket_, "out/big").error().code, "NoSuchKey");
  expect_no_open_uploads();  // the multipart upload of the bad copy was aborted
  expect_volumes_empty();    // the bad copies are gone

  auto again = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("relay complete: 2 objects staged"), std::string::npos) << again.out;
  expect_identical();
  expect_volumes_empty();
  EXPECT_EQ(totals()[ledger::ObjectState::verified], 3u);
}

// The same with an object sent in one streamed PUT (above the part size,
// below the threshold): nothing is hashed before it is sent, so the
// destination refuses the flipped bytes (BadDigest, checked against the
// source's MD5); the retry hashes the file, finds it differs from the
// source and sends the object back to be fetched again. A clean copy is
// streamed, and keeps the source's ETag.
TEST_F(RelayTest, CorruptStagedFileSentInOnePutIsRefusedAndFetchedAgain) {
  const std::string big = testing::random_bytes(13 * kMiB + 3, 9);
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/big", big}, {"in/clean", testing::random_bytes(7 * kMiB, 10)}}));
  const auto cfg = config("", "transfer:\n  part_size: 5MiB\n  multipart_threshold: 64MiB\n  workers: 2\n");
  auto staged = s5j({"stage", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(staged.exit_code, 0) << staged.out << staged.err;
  {
    const auto r = record("in/big");
    ASSERT_TRUE(r.staged.has_value());
    flip_byte(r.staged->path, r.size - 10);
  }

  auto drained = s5j({"drain", "--once", "-c", cfg, "--no-progress"});
  EXPECT_EQ(drained.exit_code, 12) << drained.out << drained.err;
  auto events = read_events(dir_ + "/logs");
  auto corrupt = events_named(events, "staged_corrupt");
  ASSERT_EQ(corrupt.size(), 1u);
  EXPECT_EQ(corrupt[0]["key"], "in/big");
  std::map<std::string, nlohmann::json> verified;
  for (const auto& e : events_named(events, "object_verified")) verified[e["key"]] = e;
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_EQ(verified["in/clean"]["method"], "streamed-put");
  EXPECT_NE(verified["in/clean"]["proof"].get<std::string>().find("destination ETag = source ETag"), std::string::npos);
  EXPECT_EQ(record("in/big").state, ledger::ObjectState::pending);
  EXPECT_EQ(dst_client_->head_object(dst_bucket_, "out/big").error().code, "NoSuchKey");

  auto again = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  expect_identical();
  expect_volumes_empty();
  for (const char* key : {"big", "clean"}) {
    auto src = src_client_->head_object(src_bucket_, std::string("in/") + key);
    auto dst = dst_client_->head_object(dst_bucket_, std::string("out/") + key);
    ASSERT_TRUE(src && dst) << key;
    EXPECT_EQ(src->etag, dst->etag) << key;
  }
}

}  // namespace
}  // namespace s5j::relay_test
