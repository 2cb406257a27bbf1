// `s5j verify` end to end against two Ceph RGWs: after a sync, objects
// deleted or overwritten at the destination are found, put back in line and
// restored by the next sync; an overwrite that ETags cannot prove is only
// settled by --deep; source objects the ledger never saw are reported
// without touching the ledger; a staged (relay) job is checked the same way.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "checksum/checksum_encoding.h"
#include "checksum/crc32c.h"
#include "checksum/md5.h"
#include "ledger/open_ledger.h"
#include "support/job_files.h"
#include "support/process.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"
#include "support/verify_report.h"

namespace s5j {
namespace {

using nlohmann::json;
using testing::events_named;
using testing::JobConfig;
using testing::SeedObject;

constexpr uint64_t kMiB = 1024 * 1024;
const char* kTransferYaml = "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 4\n";

testing::ProcessResult s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv);
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("verify");
    src_ = testing::make_test_client(testing::endpoint_a());
    dst_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("vsrc");
    dst_bucket_ = testing::unique_bucket_name("vdst");
    auto created_src_ = src_->create_bucket(src_bucket_);
    ASSERT_TRUE(created_src_.has_value()) << created_src_.error().describe();
    auto created_dst_ = dst_->create_bucket(dst_bucket_);
    ASSERT_TRUE(created_dst_.has_value()) << created_dst_.error().describe();
    config_ = testing::write_job_config(
        JobConfig{{testing::endpoint_a(), src_bucket_, "in/"}, {testing::endpoint_b(), dst_bucket_, "out/"}, dir_,
                  kTransferYaml});
  }
  void TearDown() override {
    testing::remove_bucket(*src_, src_bucket_);
    testing::remove_bucket(*dst_, dst_bucket_);
  }

  void sync_ok() {
    auto r = s5j({"sync", "-c", config_, "--no-progress"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void expect_identical() {
    auto src = testing::bucket_digests(*src_, src_bucket_, "in/");
    auto dst = testing::bucket_digests(*dst_, dst_bucket_, "out/");
    EXPECT_EQ(src.size(), dst.size());
    EXPECT_TRUE(src == dst) << "source and destination differ";
  }
  void put_dst(const std::string& key, const std::string& data) {
    ASSERT_TRUE(dst_->put_object(dst_bucket_, key, s3::BodySource{.size = data.size(), .data = data}).has_value());
  }
  std::unique_ptr<ledger::Ledger> open_ledger() {
    auto l = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    EXPECT_TRUE(l.has_value()) << l.error().describe();
    return l ? std::move(*l) : nullptr;
  }
  ledger::ObjectRecord record(ledger::Ledger& l, const std::string& key) {
    auto job = l.find_job("default");
    EXPECT_TRUE(job && *job);
    auto r = l.find_object((**job).id, key);
    EXPECT_TRUE(r && *r) << key;
    return (r && *r) ? **r : ledger::ObjectRecord{};
  }
  // Keys of object_started events in the newest sync log.
  std::set<std::string> started_in_last_sync() {
    std::vector<std::string> syncs;
    for (const auto& f : testing::log_files(dir_ + "/logs"))
      if (f.find("/sync-") != std::string::npos) syncs.push_back(f);
    std::set<std::string> keys;
    if (syncs.empty()) return keys;
    for (const auto& e : events_named(testing::read_event_file(syncs.back()), "object_started"))
      keys.insert(e["key"].get<std::string>());
    return keys;
  }

  std::string dir_, config_;
  std::unique_ptr<s3::S3Client> src_, dst_;
  std::string src_bucket_, dst_bucket_;
};

// The main case, with ETags that are plain MD5s (single PUTs on RGW): an
// overwrite of the same size shows in the ETag, so the plain verify finds it.
TEST_F(VerifyTest, FindsDeletedAndOverwrittenObjectsAndTheNextSyncRestoresThem) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 40; ++i)
    objects.push_back({"in/obj-" + std::to_string(i), testing::random_bytes(1000 + 37 * i, i + 1)});
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_, objects));
  sync_ok();

  auto [clean_code, clean] = testing::run_verify(config_);
  EXPECT_EQ(clean_code, 0) << clean.dump();
  testing::expect_verify_counts(clean, {.checked = 40, .ok = 40, .reopened = 0});
  EXPECT_EQ(clean["unseen_at_source"], 0);
  EXPECT_EQ(clean["source_listed"], 40);
  EXPECT_EQ(clean["clean"], true);
  EXPECT_EQ(clean["heads"], 0);  // the listing settled every object
  EXPECT_EQ(clean["destination_listing_used"], true);

  ASSERT_TRUE(dst_->delete_object(dst_bucket_, "out/obj-3").has_value());
  const std::string original = objects[7].data;
  put_dst("out/obj-7", testing::random_bytes(original.size(), 999));  // same size, other bytes

  auto [code, report] = testing::run_verify(config_);
  EXPECT_EQ(code, 12) << report.dump();
  testing::expect_verify_counts(report, {.checked = 40, .ok = 38, .missing = 1,
                                         .different = 1, .unproven = 0, .reopened = 2, .not_verified = 2});
  EXPECT_EQ(testing::json_strings(report["samples"]["missing"]), std::vector<std::string>{"in/obj-3"});
  EXPECT_EQ(testing::json_strings(report["samples"]["different"]), std::vector<std::string>{"in/obj-7"});
  // Only the listing and a HEAD per suspect: no object was read.
  EXPECT_EQ(report["bytes_read"], 0);
  EXPECT_EQ(report["heads"], 2);

  auto l = open_ledger();
  ASSERT_NE(l, nullptr);
  for (const char* key : {"in/obj-3", "in/obj-7"}) {
    const auto r = record(*l, key);
    EXPECT_EQ(r.state, ledger::ObjectState::pending) << key;
    EXPECT_TRUE(r.last_error.starts_with("verify: ")) << r.last_error;
  }
  EXPECT_EQ(record(*l, "in/obj-8").state, ledger::ObjectState::verified);

  // The plain text report names them too.
  auto text = s5j({"verify", "-c", config_});
  EXPECT_EQ(text.exit_code, 12);  // still not verified until the next sync
  EXPECT_NE(text.out.find("not verified yet: 2"), std::string::npos) << text.out;

  sync_ok();
  EXPECT_EQ(started_in_last_sync(), (std::set<std::string>{"in/obj-3", "in/obj-7"}));
  expect_identical();
  auto [after_code, after] = testing::run_verify(config_);
  EXPECT_EQ(after_code, 0) << after.dump();
  EXPECT_EQ(after["ok"], 40);
}

// ETags that cannot be compared. A 7 MiB object is one PUT at the source
// (plain-MD5 ETag) but a multipart upload at the destination (5 MiB parts),
// so the destination's ETag is MD5(part MD5s)-2: not the MD5 of the bytes.
// Overwriting it at the destination with other bytes of the same size, in
// the same part layout, gives another "-2" ETag. From metadata alone that
// is indistinguishable from the same bytes uploaded again in another part
// layout (a multipart ETag depends on where the parts are cut), so the plain
// verify reports it `unproven` and leaves it verified; --deep reads the
// bytes back, finds their MD5 is not the source's, and reopens it.
// A rewrite with the same bytes as a single PUT gets a plain ETag equal to
// the MD5 the ledger recorded from the source: proven, left alone.
TEST_F(VerifyTest, EtagsThatCannotBeComparedNeedDeep) {
  const std::string big = testing::random_bytes(7 * kMiB, 70);
  const std::string same = testing::random_bytes(7 * kMiB + 5, 71);
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_, {{"in/big", big}, {"in/same", same}, {"in/small", "abc"}}));
  sync_ok();
  auto l = open_ledger();
  ASSERT_NE(l, nullptr);
  const auto big_record = record(*l, "in/big");
  ASSERT_TRUE(big_record.dest_etag.ends_with("-2")) << big_record.dest_etag;  // the premise of this test
  ASSERT_TRUE(big_record.md5.has_value());

  ASSERT_TRUE(testing::seed_objects(*dst_, dst_bucket_,
                                    {{"out/big", testing::random_bytes(7 * kMiB, 72), 5 * kMiB}}));
  put_dst("out/same", same);  // same bytes, one PUT now

  auto [code, plain] = testing::run_verify(config_);
  EXPECT_EQ(code, 12) << plain.dump();
  testing::expect_verify_counts(plain, {.ok = 2, .different = 0, .unproven = 1, .reopened = 0});
  EXPECT_EQ(testing::json_strings(plain["samples"]["unproven"]), std::vector<std::string>{"in/big"});
  EXPECT_EQ(record(*l, "in/big").state, ledger::ObjectState::verified);

  auto [deep_code, deep] = testing::run_verify(config_, /*deep=*/true);
  EXPECT_EQ(deep_code, 12) << deep.dump();
  EXPECT_EQ(deep["deep"], true);
  testing::expect_verify_counts(deep, {.ok = 2, .different = 1, .unproven = 0, .reopened = 1});
  EXPECT_EQ(testing::json_strings(deep["samples"]["different"]), std::vector<std::string>{"in/big"});
  EXPECT_GE(deep["bytes_read"].get<uint64_t>(), big.size() + same.size() + 3);
  EXPECT_EQ(record(*l, "in/big").state, ledger::ObjectState::pending);

  sync_ok();
  EXPECT_EQ(started_in_last_sync(), std::set<std::string>{"in/big"});
  expect_identical();
  auto [after_code, after] = testing::run_verify(config_, /*deep=*/true);
  EXPECT_EQ(after_code, 0) << after.dump();
  EXPECT_EQ(after["ok"], 3);
}

// Server-side copies (same endpoint and credentials) are verified by the
// destination ETag equal to the source's: the ledger holds no MD5 of the
// bytes. --deep then reads a plain object back against its MD5 ETag, and a
// multipart object part by part (GET ?partNumber=N), rebuilding the
// multipart ETag to compare with the source's.
TEST_F(VerifyTest, DeepRebuildsMultipartEtagsOfServerSideCopies) {
  const std::string dst_on_a = testing::unique_bucket_name("vdsta");
  ASSERT_TRUE(src_->create_bucket(dst_on_a).has_value());
  const std::string mp = testing::random_bytes(11 * kMiB, 80);
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_, {{"in/mp", mp, 5 * kMiB}, {"in/plain", "plain bytes"}}));
  const auto cfg = testing::write_job_config(JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/"}, {testing::endpoint_a(), dst_on_a, "copied/"}, dir_, kTransferYaml});
  auto r = s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  {
    auto l = open_ledger();
    ASSERT_NE(l, nullptr);
    const auto rec = record(*l, "in/mp");
    ASSERT_FALSE(rec.md5.has_value());  // the premise: proven by ETag equality alone
    ASSERT_FALSE(rec.crc32c.has_value());
    ASSERT_EQ(rec.dest_etag, rec.source_etag);
  }
  auto [code, plain] = testing::run_verify(cfg);
  EXPECT_EQ(code, 0) << plain.dump();
  EXPECT_EQ(plain["ok"], 2);
  auto [deep_code, deep] = testing::run_verify(cfg, /*deep=*/true);
  EXPECT_EQ(deep_code, 0) << deep.dump();
  EXPECT_EQ(deep["ok"], 2);
  EXPECT_EQ(deep["bytes_read"], mp.size() + 11);
  testing::remove_bucket(*src_, dst_on_a);
}

// Source objects added (or changed) after the sync are reported; the ledger
// is not changed for them, and the next sync plans them.
TEST_F(VerifyTest, ReportsSourceObjectsTheLedgerHasNotSeen) {
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_, {{"in/a", "aaa"}, {"in/c", "ccc"}, {"in/e", "eee"}}));
  sync_ok();
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_,
                                    {{"in/b", "new"}, {"in/z/late", "later"}, {"in/e", "eee, changed"}}));
  auto [code, report] = testing::run_verify(config_);
  EXPECT_EQ(code, 12) << report.dump();
  // the destination still holds what was verified
  testing::expect_verify_counts(report, {.checked = 3, .ok = 3, .reopened = 0});
  EXPECT_EQ(report["source_listed"], 5);
  EXPECT_EQ(report["unseen_at_source"], 2);
  EXPECT_EQ(testing::json_strings(report["samples"]["unseen_at_source"]), (std::vector<std::string>{"in/b", "in/z/late"}));
  EXPECT_EQ(report["changed_at_source"], 1);
  EXPECT_EQ(testing::json_strings(report["samples"]["changed_at_source"]), std::vector<std::string>{"in/e"});
  auto l = open_ledger();
  ASSERT_NE(l, nullptr);
  auto job = l->find_job("default");
  ASSERT_TRUE(job && *job);
  EXPECT_FALSE(l->find_object((**job).id, "in/b")->has_value());
  EXPECT_EQ(record(*l, "in/e").state, ledger::ObjectState::verified);

  sync_ok();
  expect_identical();
  EXPECT_EQ(testing::run_verify(config_).first, 0);
}

// Before any run there is no ledger: everything at the source is unseen,
// and verify leaves no ledger file behind.
TEST_F(VerifyTest, WithoutALedgerEverySourceObjectIsUnseen) {
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_, {{"in/a", "a"}, {"in/b", "b"}}));
  auto [code, report] = testing::run_verify(config_);
  EXPECT_EQ(code, 12) << report.dump();
  EXPECT_EQ(report["job_found"], false);
  EXPECT_EQ(report["checked"], 0);
  EXPECT_EQ(report["unseen_at_source"], 2);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ledger.db"));
}

// A staged (relay) job: its verified records are checked like a direct
// job's. The relay's work is recorded here through the ledger API as site B
// would record it (pending -> staging -> staged -> uploading -> verified),
// the upload done by the test.
TEST_F(VerifyTest, StagedJobsAreCheckedTheSameWay) {
  const std::vector<SeedObject> objects{{"in/s1", "staged one"}, {"in/s2", "staged two"}, {"in/s3", "staged 3"}};
  ASSERT_TRUE(testing::seed_objects(*src_, src_bucket_, objects));
  auto l = open_ledger();
  ASSERT_NE(l, nullptr);
  auto job = l->open_job("default", ledger::JobMode::staged);
  ASSERT_TRUE(job.has_value());
  std::vector<ledger::ListedObject> listed;
  for (const auto& o : objects) {
    auto head = src_->head_object(src_bucket_, o.key);
    ASSERT_TRUE(head.has_value());
    listed.push_back({o.key, head->size, head->etag, std::nullopt});
  }
  ASSERT_TRUE(l->upsert_listed(job->id, listed).has_value());
  for (const auto& o : objects) {
    auto md5 = checksum::md5_of(o.data);
    ASSERT_TRUE(md5.has_value());
    const uint32_t crc = checksum::crc32c_of(o.data);
    auto step = [&](ledger::ObjectState to, ledger::ObjectUpdate update = {}) {
      ledger::Transition t = ledger::Transition::of(record(*l, o.key), to);
      t.update = std::move(update);
      ASSERT_TRUE(l->queue(t).has_value());
      auto f = l->flush();
      ASSERT_TRUE(f.has_value() && f->rejected.empty());
    };
    step(ledger::ObjectState::staging);
    step(ledger::ObjectState::staged,
         {.md5 = *md5, .crc32c = crc, .staged = ledger::StagedCopy{"vol-1", "/v/" + o.key, o.data.size(), *md5, crc}});
    step(ledger::ObjectState::uploading);
    const std::string dest_key = "out/" + o.key.substr(3);
    auto etag = dst_->put_object(dst_bucket_, dest_key, s3::BodySource{.size = o.data.size(), .data = o.data});
    ASSERT_TRUE(etag.has_value());
    step(ledger::ObjectState::verified, {.dest_etag = *etag});
  }
  l.reset();

  auto [ok_code, ok] = testing::run_verify(config_);
  EXPECT_EQ(ok_code, 0) << ok.dump();
  EXPECT_EQ(ok["ok"], 3);

  ASSERT_TRUE(dst_->delete_object(dst_bucket_, "out/s2").has_value());
  auto [code, report] = testing::run_verify(config_, /*deep=*/true);
  EXPECT_EQ(code, 12) << report.dump();
  testing::expect_verify_counts(report, {.ok = 2, .missing = 1, .reopened = 1});
  l = open_ledger();
  const auto r = record(*l, "in/s2");
  EXPECT_EQ(r.state, ledger::ObjectState::pending);  // fetched from the source again
  EXPECT_FALSE(r.staged.has_value());
}

}  // namespace
}  // namespace s5j
