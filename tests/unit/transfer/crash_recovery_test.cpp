// Recovery after a run died at each state, over the in-memory S3 server, a
// SQLite ledger and a staging volume in a temporary directory:
// recover_job() releases the dead run's leases, puts failed objects back in
// line and aborts only the uploads nobody will resume; clean_staging()
// deletes .part files and staged files nobody wants and keeps the others;
// the next run (SyncEngine, RelayEngine) then finishes every object,
// resuming uploads without sending their recorded parts again.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "staging/staging_layout.h"
#include "transfer/job_recovery.h"
#include "transfer/object_copier.h"
#include "transfer/relay_engine.h"
#include "transfer/staged_fetcher.h"
#include "transfer/staged_uploader.h"
#include "transfer/staging_cleanup.h"
#include "transfer/sync_engine.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;
using testing::S3Op;

class CrashRecoveryTest : public InMemoryFixture {
 protected:
  // The dead run claims `key` (the only claimable record in its state) and
  // moves it to `to`, holding its lease.
  ledger::ObjectRecord dead_run_takes(const std::string& key, ObjectState to) {
    auto r = record(key);
    auto claimed = ledger_->claim({job(), 1, "dead-run", std::chrono::minutes(5), {r.state}});
    EXPECT_TRUE(claimed.has_value() && claimed->size() == 1 && (*claimed)[0].key == key) << key;
    EXPECT_TRUE(ledger_->queue(ledger::Transition::of(r, to, "dead-run")).has_value());
    flush();
    auto taken = record(key);
    EXPECT_EQ(taken.lease_owner, "dead-run");
    EXPECT_EQ(taken.state, to);
    return taken;
  }
  RecoveryOptions recovery_options() {
    RecoveryOptions o;
    o.destination = client_.get();
    o.destination_bucket = "dst";
    o.destination_key = [](const std::string& key) { return key; };
    return o;
  }
  // Copies `key` (in state copying) with every UploadPart after the first
  // failing: the run dies with one part recorded and the upload open.
  void die_mid_upload(const std::function<ObjectOutcome()>& transfer) {
    server_->add_fault({.op = S3Op::upload_part, .nth = 2, .times = 0, .status = 500, .code = "InternalError"});
    auto out = transfer();
    ASSERT_EQ(out.kind, OutcomeKind::failed);
    flush();
    server_->clear_faults();
    ASSERT_EQ(server_->uploads("dst").size(), 1u);
    ASSERT_EQ(server_->uploads("dst")[0].parts.size(), 1u);
  }
  void expect_destination_identical() {
    EXPECT_EQ(server_->keys("dst"), server_->keys("src"));
    for (const auto& key : server_->keys("src")) {
      EXPECT_TRUE(dst_data(key) == server_->object("src", key)->data) << key;
      EXPECT_EQ(server_->object("dst", key)->etag, server_->object("src", key)->etag) << key;
    }
    EXPECT_TRUE(server_->uploads("dst").empty());
  }
  void expect_all_verified() {
    auto totals = ledger_->totals(job());
    ASSERT_TRUE(totals.has_value());
    for (const auto& t : *totals) {
      if (t.objects > 0) {
        EXPECT_EQ(t.state, ObjectState::verified) << ledger::to_string(t.state) << " " << t.objects;
      }
    }
    auto open = ledger_->open_uploads(job());
    ASSERT_TRUE(open.has_value());
    EXPECT_TRUE(open->empty());
  }
};

TEST_F(CrashRecoveryTest, CopyingWithAnOpenUploadIsResumedByTheNextSync) {
  server_->put_multipart("src", "big", test_bytes(16 * kMiB, 1), 5 * kMiB);
  server_->put("src", "small", test_bytes(1000, 2));
  listed("big", ObjectState::pending);
  die_mid_upload([&] {
    ObjectCopier copier(
        {.source_bucket = "src", .destination_bucket = "dst", .part_size = 5 * kMiB, .multipart_threshold = 8 * kMiB},
        *client_, *client_, *ledger_, budget_, pool_, *events_);
    return copier.copy(dead_run_takes("big", ObjectState::copying));
  });

  auto stats = recover_job(*ledger_, job(), recovery_options(), *events_);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->leases_released, 1u);
  EXPECT_EQ(stats->uploads_aborted, 0u);  // left for the resume
  EXPECT_EQ(server_->uploads("dst").size(), 1u);
  EXPECT_EQ(record("big").lease_owner, "");

  const int parts_before = server_->calls(S3Op::upload_part);
  SyncSettings settings;
  settings.job = "job";
  settings.copier = {
      .source_bucket = "src", .destination_bucket = "dst", .part_size = 5 * kMiB, .multipart_threshold = 8 * kMiB};
  settings.workers = 2;
  settings.part_threads = 2;
  settings.memory_budget = 64 * kMiB;
  settings.flush_interval = std::chrono::milliseconds(10);
  SyncEngine engine(settings, *client_, *client_, *ledger_, *events_);
  auto report = engine.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete());
  EXPECT_EQ(server_->calls(S3Op::upload_part) - parts_before, 3);  // parts 2-4 only
  EXPECT_EQ(server_->calls(S3Op::create_multipart_upload), 1);
  expect_destination_identical();
  expect_all_verified();
}

TEST_F(CrashRecoveryTest, AnUploadOfAVerifiedObjectIsAbortedAndAFailedObjectRequeued) {
  server_->put("src", "done", test_bytes(1000, 3));
  server_->put("src", "bad", test_bytes(1000, 4));
  auto done = listed("done");
  const std::string upload_id = server_->open_upload("dst", "done", {{1, "leftover"}});
  ASSERT_TRUE(ledger_->begin_upload({done.id, upload_id, 5 * kMiB, 1}).has_value());
  move_to(done, ObjectState::verified, {.crc32c = 7});
  move_to(listed("bad"), ObjectState::failed, {.error = "Boom: by the test"});

  auto stats = recover_job(*ledger_, job(), recovery_options(), *events_);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->uploads_aborted, 1u);
  EXPECT_EQ(stats->failed_requeued, 1u);
  EXPECT_TRUE(server_->uploads("dst").empty());
  EXPECT_TRUE(ledger_->open_uploads(job())->empty());
  EXPECT_EQ(record("bad").state, ObjectState::pending);
  EXPECT_EQ(record("done").state, ObjectState::verified);
}

class RelayCrashRecoveryTest : public CrashRecoveryTest {
 protected:
  void SetUp() override {
    CrashRecoveryTest::SetUp();
    volume_ = dir_ + "/volume";
    std::filesystem::create_directories(volume_);
    job(ledger::JobMode::staged);
    open_stager();
  }
  void open_stager() {
    stager_.reset();
    auto s = staging::Stager::open(staging_options());
    ASSERT_TRUE(s.has_value()) << s.error().message;
    stager_ = std::move(*s);
  }
  staging::StagingOptions staging_options() {
    staging::StagingOptions o;
    o.volumes = {volume_};
    o.job = "job";
    o.reserve_bytes = 0;
    return o;
  }
  // Stages `key` for real (a complete file), recorded staged.
  void staged(const std::string& key) {
    auto r = listed(key, ObjectState::staging);
    StagedFetcher fetcher({.source_bucket = "src", .part_size = 5 * kMiB, .multipart_threshold = 8 * kMiB}, *client_,
                          *stager_, pool_, *events_);
    auto out = fetcher.fetch(r, {});
    ASSERT_EQ(out.kind, OutcomeKind::staged) << out.error_code;
    move_to(r, ObjectState::staged, out.update);
  }
  std::string file_of(const std::string& key) { return staging::staged_path(volume_, "job", record(key).id.value); }
  std::string partial_of(const std::string& key) { return staging::part_path(volume_, "job", record(key).id.value); }
  void write_file(const std::string& path, const std::string& bytes) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }

  std::string volume_;
  std::unique_ptr<staging::Stager> stager_;
};

// One object in each state a relay can die in, then one relay run.
TEST_F(RelayCrashRecoveryTest, EveryStateADeadRelayLeftIsCleanedAndFinished) {
  server_->put("src", "a-staging-part", test_bytes(300'000, 10));
  server_->put("src", "b-staging-complete", test_bytes(200'000, 11));
  server_->put("src", "c-staged", test_bytes(100'000, 12));
  server_->put_multipart("src", "d-uploading", test_bytes(16 * kMiB, 13), 5 * kMiB);
  server_->put("src", "e-verified", test_bytes(50'000, 14));
  server_->put("src", "f-pending", test_bytes(6 * kMiB, 15));

  // staging, cut short: a .part file.
  listed("a-staging-part", ObjectState::pending);
  dead_run_takes("a-staging-part", ObjectState::staging);
  write_file(partial_of("a-staging-part"), "half of it");
  // uploading, with an open upload that has one part.
  staged("d-uploading");
  die_mid_upload([&] {
    StagedUploadSettings s;
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    StagedUploader uploader(s, *client_, *ledger_, *stager_, budget_, pool_, *events_);
    return uploader.upload(dead_run_takes("d-uploading", ObjectState::uploading));
  });
  // staging, renamed into place before the ledger heard of it.
  listed("b-staging-complete", ObjectState::staging);
  write_file(file_of("b-staging-complete"), server_->object("src", "b-staging-complete")->data);
  // staged, with its file.
  staged("c-staged");
  // verified, its staged file not yet deleted.
  staged("e-verified");
  {
    auto r = move_to(record("e-verified"), ObjectState::uploading);
    server_->put("dst", "e-verified", server_->object("src", "e-verified")->data);
    move_to(r, ObjectState::verified, {.dest_etag = server_->object("src", "e-verified")->etag});
  }
  listed("f-pending", ObjectState::pending);
  ASSERT_TRUE(std::filesystem::exists(file_of("e-verified")));
  open_stager();  // the next run's view of the volume

  auto stats = recover_job(*ledger_, job(), recovery_options(), *events_);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->leases_released, 2u);
  EXPECT_EQ(stats->uploads_aborted, 0u);
  auto cleaned = clean_staging(*stager_, *ledger_, job(), true, *events_);
  ASSERT_TRUE(cleaned.has_value()) << cleaned.error().message;
  EXPECT_EQ(cleaned->partials_removed, 1u);
  EXPECT_EQ(cleaned->stale_removed, 2u);  // b (staging) and e (verified)
  EXPECT_EQ(cleaned->kept, 2u);           // c (staged) and d (uploading)
  EXPECT_FALSE(std::filesystem::exists(partial_of("a-staging-part")));
  EXPECT_FALSE(std::filesystem::exists(file_of("b-staging-complete")));
  EXPECT_FALSE(std::filesystem::exists(file_of("e-verified")));
  EXPECT_TRUE(std::filesystem::exists(file_of("c-staged")));
  EXPECT_TRUE(std::filesystem::exists(file_of("d-uploading")));
  EXPECT_EQ(server_->uploads("dst").size(), 1u);
  stager_.reset();

  const int parts_before = server_->calls(S3Op::upload_part);
  const int gets_before = server_->calls(S3Op::get_object);
  RelaySettings settings;
  settings.role = RelayRole::relay;
  settings.job = "job";
  settings.source_bucket = "src";
  settings.destination_bucket = "dst";
  settings.part_size = 5 * kMiB;
  settings.multipart_threshold = 8 * kMiB;
  settings.staging = staging_options();
  settings.workers = 2;
  settings.part_threads = 2;
  settings.memory_budget = 64 * kMiB;
  settings.once = true;
  settings.poll_interval = std::chrono::milliseconds(10);
  settings.flush_interval = std::chrono::milliseconds(10);
  RelayEngine engine(settings, client_.get(), client_.get(), *ledger_, *events_);
  auto report = engine.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete()) << report->failed_objects << " failed, " << report->remaining_objects << " left";
  EXPECT_EQ(server_->calls(S3Op::upload_part) - parts_before, 3);  // d's parts 2-4 only
  EXPECT_EQ(server_->calls(S3Op::get_object) - gets_before, 3);    // a, b and f are read; c, d are not again
  expect_destination_identical();
  expect_all_verified();
  auto scan = staging::scan_staging({volume_}, "job");
  ASSERT_TRUE(scan.has_value());
  EXPECT_TRUE(scan->complete.empty());
  EXPECT_TRUE(scan->partial.empty());
}

}  // namespace
}  // namespace s5j::transfer
