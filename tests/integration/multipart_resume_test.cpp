// MultipartUploader against a real RGW: resuming an upload that a killed
// run had already completed. The kill falls after CompleteMultipartUpload
// succeeded and before the ledger recorded the last parts: the next run
// resumes the recorded upload, and the server answers NoSuchUpload to the
// parts it still thinks are missing. The object at the destination is then
// proven by the multipart ETag the parts imply, not uploaded again, and not
// failed (the crash loop caught a relay failing here once in six runs).
#include <gtest/gtest.h>

#include <filesystem>

#include "checksum/checksum_encoding.h"
#include "checksum/md5.h"
#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"
#include "transfer/byte_budget.h"
#include "transfer/multipart_uploader.h"
#include "transfer/worker_pool.h"

namespace s5j {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kPartSize = 5 * kMiB;

class MultipartResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("multipart-resume");
    client_ = testing::make_test_client(testing::endpoint_b());
    bucket_ = testing::unique_bucket_name("mpresume");
    ASSERT_TRUE(client_->create_bucket(bucket_).has_value());
    auto opened = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    ledger_ = std::move(*opened);
    auto job = ledger_->open_job("resume", ledger::JobMode::direct);
    ASSERT_TRUE(job.has_value());
    data_ = testing::random_bytes(2 * kPartSize + kMiB, 7);  // three parts, the last 1 MiB
    auto md5 = checksum::md5_of(data_);
    ASSERT_TRUE(md5.has_value());
    const ledger::ListedObject listed{.key = key_, .size = data_.size(), .etag = checksum::md5_hex(*md5)};
    ASSERT_TRUE(ledger_->upsert_listed(job->id, std::span(&listed, 1)).has_value());
    auto record = ledger_->find_object(job->id, key_);
    ASSERT_TRUE(record.has_value() && record->has_value());
    record_ = **record;
    auto plan = checksum::plan_parts(data_.size(), kPartSize);
    ASSERT_TRUE(plan.has_value());
    plan_ = *plan;
    ASSERT_EQ(plan_.part_count, 3u);
  }
  void TearDown() override {
    if (client_) testing::remove_bucket(*client_, bucket_);
    std::filesystem::remove_all(dir_);
  }

  // Reads parts from data_; part `fail_part` (if any) fails like a dropped
  // connection, so the run "dies" with the earlier parts recorded.
  transfer::PartReader reader(uint32_t fail_part = 0) {
    return [this, fail_part](uint32_t n, const checksum::PartRange& range, std::string& buffer) -> Status {
      if (n == fail_part) return make_error(ErrorKind::retryable, "ConnectionReset", "test: the run dies here");
      buffer.append(data_, range.offset, range.length);
      return {};
    };
  }

  // A first run: parts 1 and 2 uploaded and durably recorded, part 3 not.
  transfer::UploadSession first_run(transfer::MultipartUploader& uploader) {
    auto session = uploader.open(record_, bucket_, key_, plan_, {});
    EXPECT_TRUE(session.has_value());
    auto parts = uploader.upload_parts(*session, record_, false, reader(3));
    EXPECT_TRUE(parts.error.has_value());
    EXPECT_TRUE(ledger_->flush().has_value());
    return *session;
  }

  std::string dir_;
  std::unique_ptr<s3::S3Client> client_;
  std::string bucket_;
  std::unique_ptr<ledger::Ledger> ledger_;
  const std::string key_ = "big/object.bin";
  std::string data_;
  ledger::ObjectRecord record_;
  checksum::PartPlan plan_;
  transfer::ByteBudget budget_{64 * kMiB};
  transfer::WorkerPool pool_{4};
};

TEST_F(MultipartResumeTest, UploadCompletedBeforeTheCrashIsProvenNotSentAgain) {
  auto events = log::EventLog::null();
  transfer::MultipartUploader uploader(*client_, *ledger_, budget_, pool_, *events);
  const auto first = first_run(uploader);

  // What the killed run did after its last commit: the last part and the
  // Complete, which the ledger never heard of.
  std::vector<s3::CompletedPart> completed;
  for (uint32_t n = 1; n <= 3; ++n) {
    const auto range = checksum::part_range(plan_, n);
    const std::string bytes = data_.substr(range.offset, range.length);
    s3::BodySource body{.size = bytes.size(), .data = bytes};
    auto etag = client_->upload_part(bucket_, key_, first.upload_id, static_cast<int>(n), body);
    ASSERT_TRUE(etag.has_value()) << etag.error().message;
    completed.push_back({static_cast<int>(n), *etag});
  }
  ASSERT_TRUE(client_->complete_multipart_upload(bucket_, key_, first.upload_id, completed).has_value());

  // The restart: the ledger still shows the upload active with two parts.
  auto session = uploader.open(record_, bucket_, key_, plan_, {});
  ASSERT_TRUE(session.has_value());
  ASSERT_TRUE(session->resumed);
  EXPECT_EQ(session->done.size(), 2u);
  auto parts = uploader.upload_parts(*session, record_, false, reader());
  ASSERT_FALSE(parts.error.has_value()) << parts.error->message;
  EXPECT_TRUE(parts.upload_gone);
  EXPECT_EQ(parts.uploaded, 0u) << "nothing is sent to an upload that is gone";
  auto done = uploader.complete(*session, parts, data_.size());
  ASSERT_TRUE(done.has_value()) << done.error().code << ": " << done.error().message;
  EXPECT_EQ(done->dest_etag, done->expected_etag);
  EXPECT_EQ(testing::bucket_digests(*client_, bucket_).at(key_),
            checksum::md5_hex(*checksum::md5_of(data_)) + ":" + std::to_string(data_.size()));
}

TEST_F(MultipartResumeTest, UploadAbortedElsewhereIsNotMistakenForCompleted) {
  auto events = log::EventLog::null();
  transfer::MultipartUploader uploader(*client_, *ledger_, budget_, pool_, *events);
  const auto first = first_run(uploader);
  // Gone without an object: aborted by someone else (an operator, a
  // lifecycle rule). The resumed upload must fail, for a fresh one.
  ASSERT_TRUE(client_->abort_multipart_upload(bucket_, key_, first.upload_id).has_value());

  auto session = uploader.open(record_, bucket_, key_, plan_, {});
  ASSERT_TRUE(session.has_value());
  ASSERT_TRUE(session->resumed);
  auto parts = uploader.upload_parts(*session, record_, false, reader());
  ASSERT_FALSE(parts.error.has_value());
  EXPECT_TRUE(parts.upload_gone);
  auto done = uploader.complete(*session, parts, data_.size());
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().code, "NoSuchUpload");
  EXPECT_FALSE(client_->head_object(bucket_, key_).has_value());
}

}  // namespace
}  // namespace s5j
