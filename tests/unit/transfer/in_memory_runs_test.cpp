// Whole runs through the RunDriver against two in-memory S3 servers: a
// sync and a relay of objects of every shape (empty, small with metadata,
// plain above the part size, multipart, keys needing encoding) end with the
// destination identical to the source and every ledger record verified,
// also when the source refuses ListObjectsV2 and requests fail on the way;
// a second run moves nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "transfer/relay_engine.h"
#include "transfer/sync_engine.h"
#include "checksum/checksum_encoding.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;
using testing::S3Fault;
using testing::S3Op;

class InMemoryRunsTest : public InMemoryFixture {
 protected:
  void SetUp() override {
    InMemoryFixture::SetUp();
    destination_server_->create_bucket("dst");
    server_->put("src", "empty", "");
    server_->put("src", "small", test_bytes(10'000, 1), {{"Content-Type", "text/csv"}, {"x-amz-meta-k", "v"}});
    server_->put("src", "dir/with space+plus&amp", test_bytes(20'000, 2));
    server_->put("src", "dir/ünïcode", test_bytes(30'000, 3));
    server_->put("src", "plain-6m", test_bytes(6 * kMiB, 4));
    server_->put("src", "plain-9m", test_bytes(9 * kMiB, 5));
    server_->put_multipart("src", "parts-11m", test_bytes(11 * kMiB, 6), 5 * kMiB);
    for (int i = 0; i < 20; ++i) server_->put("src", "many/" + std::to_string(i), test_bytes(1000 + i, 10 + i));
  }

  // Names in lower case, sorted: HTTP header names are case-insensitive.
  static std::vector<std::pair<std::string, std::string>> normalized(const http::Headers& headers) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& h : headers) {
      std::string name = h.name;
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.emplace_back(name, h.value);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  void expect_destination_identical() {
    EXPECT_EQ(destination_server_->keys("dst"), server_->keys("src"));
    for (const auto& key : server_->keys("src")) {
      auto dst = destination_server_->object("dst", key);
      ASSERT_TRUE(dst.has_value()) << key;
      EXPECT_TRUE(dst->data == server_->object("src", key)->data) << key;
      EXPECT_EQ(normalized(dst->metadata), normalized(server_->object("src", key)->metadata)) << key;
    }
    EXPECT_TRUE(destination_server_->uploads("dst").empty());
  }
  void expect_all_verified() {
    auto totals = ledger_->totals(job());
    ASSERT_TRUE(totals.has_value());
    uint64_t verified = 0;
    for (const auto& t : *totals) {
      if (t.state == ObjectState::verified)
        verified = t.objects;
      else
        EXPECT_EQ(t.objects, 0u) << ledger::to_string(t.state);
    }
    EXPECT_EQ(verified, server_->keys("src").size());
  }

  SyncSettings sync_settings() {
    SyncSettings s;
    s.job = "job";
    s.copier = {
        .source_bucket = "src", .destination_bucket = "dst", .part_size = 5 * kMiB, .multipart_threshold = 8 * kMiB};
    s.workers = 4;
    s.part_threads = 4;
    s.memory_budget = 64 * kMiB;
    s.flush_interval = std::chrono::milliseconds(10);
    return s;
  }
  RelaySettings relay_settings() {
    RelaySettings s;
    s.job = "job";
    s.source_bucket = "src";
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    const std::string volume = dir_ + "/volume";
    std::filesystem::create_directories(volume);
    s.staging.volumes = {volume};
    s.staging.job = "job";
    s.staging.reserve_bytes = 0;
    s.workers = 4;
    s.part_threads = 4;
    s.memory_budget = 64 * kMiB;
    s.once = true;
    s.poll_interval = std::chrono::milliseconds(10);
    s.flush_interval = std::chrono::milliseconds(10);
    return s;
  }

  std::shared_ptr<testing::InMemoryS3> destination_server_ = std::make_shared<testing::InMemoryS3>();
  std::unique_ptr<s3::S3Client> destination_ = in_memory_client(destination_server_);
};

TEST_F(InMemoryRunsTest, SyncCopiesEveryShapeAndASecondRunMovesNothing) {
  server_->refuse(S3Op::list_objects_v2);
  server_->add_fault({.op = S3Op::get_object, .nth = 3, .cut_after = 5000});
  destination_server_->add_fault({.op = S3Op::upload_part, .nth = 2, .status = 503, .code = "SlowDown"});
  destination_server_->add_fault({.op = S3Op::put_object, .nth = 5, .status = 500, .code = "InternalError"});
  {
    SyncEngine engine(sync_settings(), *client_, *destination_, *ledger_, *events_);
    auto report = engine.run();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(report->complete());
    EXPECT_EQ(report->copied_objects, server_->keys("src").size());
  }
  EXPECT_TRUE(client_->using_list_v1());
  expect_destination_identical();
  expect_all_verified();

  const int puts = destination_server_->calls(S3Op::put_object);
  const int gets = server_->calls(S3Op::get_object);
  SyncEngine again(sync_settings(), *client_, *destination_, *ledger_, *events_);
  auto report = again.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->copied_objects, 0u);
  EXPECT_EQ(destination_server_->calls(S3Op::put_object), puts);
  EXPECT_EQ(server_->calls(S3Op::get_object), gets);
}

TEST_F(InMemoryRunsTest, SyncWithinOneServerCopiesServerSide) {
  server_->create_bucket("dst");
  SyncSettings s = sync_settings();
  s.copier.server_side_copy = true;
  SyncEngine engine(s, *client_, *client_, *ledger_, *events_);
  auto report = engine.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete());
  EXPECT_EQ(report->server_side_copies, server_->keys("src").size());
  EXPECT_EQ(server_->calls(S3Op::get_object), 0);
  EXPECT_EQ(server_->keys("dst"), server_->keys("src"));
  for (const auto& key : server_->keys("src"))
    EXPECT_EQ(server_->object("dst", key)->etag, server_->object("src", key)->etag) << key;
}

TEST_F(InMemoryRunsTest, RelayStagesAndDrainsEveryShapeAndLeavesNoStagedFile) {
  job(ledger::JobMode::staged);
  server_->add_fault({.op = S3Op::get_object, .nth = 2, .cut_after = 3000});
  server_->add_fault({.op = S3Op::get_object, .nth = 7, .flip_at = 100});  // read again by the fetcher
  destination_server_->add_fault({.op = S3Op::upload_part, .nth = 1, .status = 500, .code = "InternalError"});
  RelaySettings settings = relay_settings();
  {
    RelayEngine engine(settings, client_.get(), destination_.get(), *ledger_, *events_);
    auto report = engine.run();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(report->complete()) << report->failed_objects << " failed, " << report->remaining_objects << " left";
    EXPECT_EQ(report->verified_objects, server_->keys("src").size());
  }
  expect_destination_identical();
  expect_all_verified();
  auto scan = staging::scan_staging(settings.staging.volumes, "job");
  ASSERT_TRUE(scan.has_value());
  EXPECT_TRUE(scan->complete.empty());
  EXPECT_TRUE(scan->partial.empty());

  const int gets = server_->calls(S3Op::get_object);
  RelayEngine again(settings, client_.get(), destination_.get(), *ledger_, *events_);
  auto report = again.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->verified_objects, 0u);
  EXPECT_EQ(server_->calls(S3Op::get_object), gets);
}

// destination.checksum_algorithm through whole runs, on a destination that
// checks additional checksums as AWS does (a wrong one is BadDigest): every
// object completes verified, and each object whose bytes were in hand when
// sent (buffered or staged PUTs, hashed parts; the whole CRC at Complete)
// is kept with the checksum the ledger recorded over the source bytes.
void expect_checksums_kept(testing::InMemoryS3& destination, const std::function<ledger::ObjectRecord(const std::string&)>& record,
                           s3::ChecksumAlgorithm algorithm) {
  const bool crc64 = algorithm == s3::ChecksumAlgorithm::crc64nvme;
  const std::string header = crc64 ? "x-amz-checksum-crc64nvme" : "x-amz-checksum-crc32c";
  // A streamed PUT (plain-6m) cannot carry one; the mirrored multipart copy
  // (parts-11m, streamed parts) gets the whole object's at Complete.
  for (const std::string key : {"small", "many/3", "plain-9m", "parts-11m"}) {
    const auto stored = destination.object("dst", key);
    ASSERT_TRUE(stored.has_value()) << key;
    const auto value = http::find_header(stored->checksums, header);
    ASSERT_TRUE(value.has_value()) << key;
    const auto r = record(key);
    if (!crc64) {
      EXPECT_EQ(*value, checksum::crc32_base64(*r.crc32c)) << key;
    } else {
      ASSERT_TRUE(r.crc64nvme.has_value()) << key;
      EXPECT_EQ(*value, checksum::crc64_base64(*r.crc64nvme)) << key;
    }
  }
}

TEST_F(InMemoryRunsTest, SyncWithCrc32cChecksumsCompletesVerified) {
  SyncSettings s = sync_settings();
  s.copier.checksum_algorithm = s3::ChecksumAlgorithm::crc32c;
  SyncEngine engine(s, *client_, *destination_, *ledger_, *events_);
  auto report = engine.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete());
  expect_destination_identical();
  expect_all_verified();
  EXPECT_TRUE(destination_->honours_additional_checksums());
  expect_checksums_kept(*destination_server_, [this](const std::string& k) { return record(k); },
                        s3::ChecksumAlgorithm::crc32c);
}

TEST_F(InMemoryRunsTest, RelayWithCrc64NvmeChecksumsCompletesVerified) {
  job(ledger::JobMode::staged);
  RelaySettings settings = relay_settings();
  settings.checksum_algorithm = s3::ChecksumAlgorithm::crc64nvme;
  RelayEngine engine(settings, client_.get(), destination_.get(), *ledger_, *events_);
  auto report = engine.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete()) << report->failed_objects << " failed";
  expect_destination_identical();
  expect_all_verified();
  EXPECT_TRUE(destination_->honours_additional_checksums());
  expect_checksums_kept(*destination_server_, [this](const std::string& k) { return record(k); },
                        s3::ChecksumAlgorithm::crc64nvme);
}

// After `reset` the ledger knows nothing, but the destination holds the
// job's objects: the relay's first listing matches them (equal size and
// comparable, equal ETag) and sends only what differs or is missing.
// plain-9m went up as a multipart upload and its ETag cannot match the
// source's plain MD5: it is sent again, as is anything unprovable.
TEST_F(InMemoryRunsTest, RelayAfterResetSendsOnlyWhatTheDestinationLacks) {
  job(ledger::JobMode::staged);
  RelaySettings settings = relay_settings();
  {
    RelayEngine engine(settings, client_.get(), destination_.get(), *ledger_, *events_);
    auto report = engine.run();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    ASSERT_TRUE(report->complete());
    EXPECT_EQ(report->found_at_destination, 0u);
  }
  ASSERT_TRUE(ledger_->reset_job(job()).has_value());
  destination_server_->put("dst", "many/3", test_bytes(1003, 99));  // same size, other bytes
  destination_server_->remove("dst", "many/4");
  std::set<std::string> identical;
  for (const auto& key : server_->keys("src")) {
    auto dst = destination_server_->object("dst", key);
    if (dst && dst->etag == server_->object("src", key)->etag) identical.insert(key);
  }
  ASSERT_FALSE(identical.count("many/3"));
  ASSERT_FALSE(identical.count("plain-9m"));
  const uint64_t to_send = server_->keys("src").size() - identical.size();

  const int gets = server_->calls(S3Op::get_object);
  RelayEngine again(settings, client_.get(), destination_.get(), *ledger_, *events_);
  auto report = again.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete());
  EXPECT_EQ(report->found_at_destination, identical.size());
  EXPECT_EQ(report->staged_objects, to_send);
  EXPECT_EQ(report->verified_objects, to_send);
  EXPECT_GT(server_->calls(S3Op::get_object), gets);
  for (const auto& key : identical) {
    const auto r = record(key);
    EXPECT_EQ(r.state, ObjectState::verified) << key;
    EXPECT_EQ(r.attempts, 0u) << key << ": found identical, never sent";
  }
  expect_destination_identical();
  expect_all_verified();
}

// Stage and drain as separate runs; a staged file damaged on disk between
// them is deleted by the drain and its object fetched again by the next
// stage run, never uploaded.
TEST_F(InMemoryRunsTest, StageAndDrainRunsRefetchAStagedFileDamagedOnDisk) {
  job(ledger::JobMode::staged);
  RelaySettings settings = relay_settings();
  auto run = [&](RelayRole role) {
    RelaySettings s = settings;
    s.role = role;
    RelayEngine engine(s, role == RelayRole::drain ? nullptr : client_.get(),
                       role == RelayRole::stage ? nullptr : destination_.get(), *ledger_, *events_);
    auto report = engine.run();
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report.value_or(RelayReport{});
  };
  EXPECT_EQ(run(RelayRole::stage).staged_objects, server_->keys("src").size());
  auto damaged = record("plain-9m");
  ASSERT_TRUE(damaged.staged.has_value());
  {
    std::fstream file(damaged.staged->path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(4 * kMiB);
    file.put(static_cast<char>(server_->object("src", "plain-9m")->data[4 * kMiB] ^ 0x20));
  }
  auto drained = run(RelayRole::drain);
  EXPECT_EQ(drained.refetch_objects, 1u);
  EXPECT_EQ(drained.verified_objects, server_->keys("src").size() - 1);
  EXPECT_FALSE(destination_server_->object("dst", "plain-9m").has_value());
  EXPECT_EQ(record("plain-9m").state, ObjectState::pending);

  EXPECT_EQ(run(RelayRole::stage).staged_objects, 1u);
  EXPECT_EQ(run(RelayRole::drain).verified_objects, 1u);
  expect_destination_identical();
  expect_all_verified();
}

}  // namespace
}  // namespace s5j::transfer
