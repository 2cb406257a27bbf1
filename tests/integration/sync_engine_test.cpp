// SyncEngine against real RGWs with a source transport that changes the
// source in the middle of a copy: an object overwritten during its copy
// ends up as its new version, verified; one deleted is recorded vanished.
#include <gtest/gtest.h>

#include <atomic>

#include "http/curl_transport.h"
#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "support/job_files.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"
#include "transfer/sync_engine.h"

namespace s5j::transfer {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

class SyncEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("engine");
    admin_ = testing::make_test_client(testing::endpoint_a());
    dst_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("esrc");
    dst_bucket_ = testing::unique_bucket_name("edst");
    ASSERT_TRUE(admin_->create_bucket(src_bucket_).has_value());
    ASSERT_TRUE(dst_->create_bucket(dst_bucket_).has_value());
  }
  void TearDown() override {
    testing::remove_bucket(*admin_, src_bucket_);
    testing::remove_bucket(*dst_, dst_bucket_);
  }

  // Runs one sync whose source client passes every request to `hook` first.
  Result<SyncReport> run_with_hook(testing::HookTransport::Hook hook) {
    auto transport = std::make_shared<testing::HookTransport>(
        std::make_shared<http::CurlTransport>(http::NetworkOptions{}), std::move(hook));
    source_ = testing::make_test_client(testing::endpoint_a(), transport);
    auto ledger = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    EXPECT_TRUE(ledger.has_value());
    ledger_ = std::move(*ledger);
    auto events = log::EventLog::open(dir_ + "/logs", "engine.jsonl", log::Redactor());
    EXPECT_TRUE(events.has_value());
    events_ = std::move(*events);
    SyncSettings settings;
    settings.copier = {src_bucket_, "", dst_bucket_, "", 5 * kMiB, 6 * kMiB};
    settings.workers = 2;
    SyncEngine engine(settings, *source_, *dst_, *ledger_, *events_);
    return engine.run();
  }

  std::string dest_body(const std::string& key) {
    std::string body;
    auto got = dst_->get_object(dst_bucket_, key, {}, [&](std::string_view c) -> Status {
      body.append(c);
      return {};
    });
    EXPECT_TRUE(got.has_value()) << key;
    return body;
  }

  std::string dir_;
  std::unique_ptr<s3::S3Client> admin_, dst_, source_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<log::EventLog> events_;
  std::string src_bucket_, dst_bucket_;
};

bool is_get_of(const http::Request& r, const std::string& key) {
  return r.method == "GET" && r.url.find("/" + key) != std::string::npos && r.url.find("list-type") == std::string::npos;
}

TEST_F(SyncEngineTest, ObjectOverwrittenDuringItsCopyEndsUpAsItsNewVersion) {
  const std::string v2 = testing::random_bytes(3000, 2);
  ASSERT_TRUE(testing::seed_objects(*admin_, src_bucket_, {{"doc", testing::random_bytes(2000, 1)}, {"other", "x"}}));
  std::atomic<bool> overwritten{false};
  auto report = run_with_hook([&](const http::Request& r) {
    // The first read of "doc", after it was listed: a writer replaces it.
    if (is_get_of(r, "doc") && !overwritten.exchange(true))
      ASSERT_TRUE(admin_->put_object(src_bucket_, "doc", s3::BodySource{.size = v2.size(), .data = v2}).has_value());
  });
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_TRUE(overwritten);
  EXPECT_EQ(report->changed_objects, 1u);
  EXPECT_EQ(report->failed_objects, 0u);
  EXPECT_TRUE(dest_body("doc") == v2);
  auto record = ledger_->find_object(ledger_->find_job("default").value()->id, "doc");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->state, ledger::ObjectState::verified);
  EXPECT_EQ((*record)->size, v2.size());
}

TEST_F(SyncEngineTest, MultipartObjectOverwrittenBetweenPartsIsRedoneAsNewVersion) {
  const std::string v1 = testing::random_bytes(16 * kMiB, 3);
  const std::string v2 = testing::random_bytes(16 * kMiB + 5, 4);
  ASSERT_TRUE(testing::seed_objects(*admin_, src_bucket_, {{"big", v1}}));
  std::atomic<int> part_reads{0};
  auto report = run_with_hook([&](const http::Request& r) {
    // Replace the object as its second part is being read.
    if (is_get_of(r, "big") && http::find_header(r.headers, "Range") && ++part_reads == 2)
      ASSERT_TRUE(admin_->put_object(src_bucket_, "big", s3::BodySource{.size = v2.size(), .data = v2}).has_value());
  });
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->changed_objects, 1u);
  EXPECT_EQ(report->failed_objects, 0u);
  EXPECT_TRUE(dest_body("big") == v2);
  auto uploads = dst_->list_multipart_uploads(dst_bucket_, "");
  ASSERT_TRUE(uploads.has_value());
  EXPECT_TRUE(uploads->uploads.empty());  // the first version's upload was aborted
}

TEST_F(SyncEngineTest, ObjectDeletedDuringItsCopyIsVanished) {
  ASSERT_TRUE(testing::seed_objects(*admin_, src_bucket_, {{"gone", "soon deleted"}, {"stays", "here"}}));
  std::atomic<bool> deleted{false};
  auto report = run_with_hook([&](const http::Request& r) {
    if (is_get_of(r, "gone") && !deleted.exchange(true)) ASSERT_TRUE(admin_->delete_object(src_bucket_, "gone").has_value());
  });
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->vanished_objects, 1u);
  EXPECT_EQ(report->failed_objects, 0u);
  EXPECT_EQ(report->copied_objects, 1u);
  EXPECT_TRUE(report->complete());
  auto record = ledger_->find_object(ledger_->find_job("default").value()->id, "gone");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->state, ledger::ObjectState::vanished);
}

TEST_F(SyncEngineTest, SecondRunInTheSameJobWhileOneHoldsTheLockIsRefused) {
  ASSERT_TRUE(testing::seed_objects(*admin_, src_bucket_, {{"a", "a"}}));
  auto ledger = ledger::open_ledger({.location = dir_ + "/ledger.db"});
  ASSERT_TRUE(ledger.has_value());
  auto job = (*ledger)->open_job("default", ledger::JobMode::direct);
  ASSERT_TRUE(job.has_value());
  // Our own pid: alive, so the lock is respected.
  auto lock = (*ledger)->acquire_job_lock(job->id, {"someone-else", ::getpid(), "this-host", std::chrono::minutes(2)});
  ASSERT_TRUE(lock.has_value() && lock->acquired);
  auto report = run_with_hook([](const http::Request&) {});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, "AlreadyRunning");
  EXPECT_NE(report.error().message.find(std::to_string(::getpid())), std::string::npos);
}

}  // namespace
}  // namespace s5j::transfer
