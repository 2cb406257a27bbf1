// The relay's two legs for one object over the in-memory S3 server and a
// staging volume in a temporary directory: StagedFetcher (one GET, or
// ranged GETs in parallel) writes a staged file proven equal to the source;
// StagedUploader sends it (buffered PUT, streamed PUT, multipart) and
// proves the destination; a flipped byte on either leg never reaches the
// destination; a source changed since listing comes back changed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "transfer/source_stream.h"
#include "transfer/staged_fetcher.h"
#include "transfer/staged_uploader.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;
using testing::S3Fault;
using testing::S3Op;

class StagedCopyTest : public InMemoryFixture {
 protected:
  void SetUp() override {
    InMemoryFixture::SetUp();
    volume_ = dir_ + "/volume";
    std::filesystem::create_directories(volume_);
    staging::StagingOptions options;
    options.volumes = {volume_};
    options.job = "job";
    options.reserve_bytes = 0;
    auto s = staging::Stager::open(options);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    stager_ = std::move(*s);
    job(ledger::JobMode::staged);
  }

  StagedFetcher fetcher() {
    return StagedFetcher({.source_bucket = "src", .part_size = 5 * kMiB, .multipart_threshold = 8 * kMiB}, *client_,
                         *stager_, pool_, *events_);
  }
  StagedUploader uploader() {
    StagedUploadSettings s;
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    return StagedUploader(s, *client_, *ledger_, *stager_, budget_, pool_, *events_);
  }
  // Lists and stages `key`, recording it staged; returns the outcome.
  ObjectOutcome stage(const std::string& key) {
    auto r = listed(key, ObjectState::staging);
    auto out = fetcher().fetch(r, {});
    if (out.kind == OutcomeKind::staged) move_to(r, ObjectState::staged, out.update);
    return out;
  }
  ObjectOutcome upload(const std::string& key) {
    auto r = move_to(record(key), ObjectState::uploading);
    auto out = uploader().upload(r);
    flush();
    return out;
  }
  std::string staged_bytes(const std::string& key) {
    auto r = record(key);
    if (!r.staged) return "<none>";
    std::ifstream in(r.staged->path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string volume_;
  std::unique_ptr<staging::Stager> stager_;
};

TEST_F(StagedCopyTest, OneGetStagesAPlainObjectAndAPutSendsIt) {
  server_->put("src", "small", test_bytes(200'000, 1), {{"x-amz-meta-owner", "me"}});
  auto staged = stage("small");
  ASSERT_EQ(staged.kind, OutcomeKind::staged) << staged.error_code;
  EXPECT_EQ(staged.method, CopyMethod::get);
  EXPECT_TRUE(staged_bytes("small") == server_->object("src", "small")->data);
  auto up = upload("small");
  EXPECT_EQ(up.kind, OutcomeKind::verified) << up.error_code << " " << up.update.error.value_or("");
  EXPECT_EQ(up.method, CopyMethod::put);
  EXPECT_TRUE(dst_data("small") == server_->object("src", "small")->data);
  EXPECT_EQ(server_->object("dst", "small")->metadata.size(), 1u);
}

TEST_F(StagedCopyTest, APlainObjectAboveThePartSizeIsStreamedFromItsFile) {
  server_->put("src", "mid", test_bytes(6 * kMiB, 2));
  ASSERT_EQ(stage("mid").kind, OutcomeKind::staged);
  auto up = upload("mid");
  EXPECT_EQ(up.kind, OutcomeKind::verified) << up.error_code;
  EXPECT_EQ(up.method, CopyMethod::streamed_put);
  EXPECT_EQ(server_->object("dst", "mid")->etag, server_->object("src", "mid")->etag);
}

TEST_F(StagedCopyTest, RangedGetsStageAMultipartObjectAndPartsSendIt) {
  server_->put_multipart("src", "big", test_bytes(12 * kMiB + 1, 3), 5 * kMiB);
  auto staged = stage("big");
  ASSERT_EQ(staged.kind, OutcomeKind::staged) << staged.error_code;
  EXPECT_EQ(staged.method, CopyMethod::ranged_get);
  EXPECT_EQ(server_->calls(S3Op::get_object), 3);
  auto up = upload("big");
  EXPECT_EQ(up.kind, OutcomeKind::verified) << up.error_code;
  EXPECT_EQ(up.method, CopyMethod::multipart);
  EXPECT_EQ(server_->object("dst", "big")->etag, server_->object("src", "big")->etag);
  EXPECT_TRUE(server_->uploads("dst").empty());
}

TEST_F(StagedCopyTest, AByteFlippedOnEveryReadIsNeverStaged) {
  server_->put("src", "small", test_bytes(100'000, 4));
  server_->add_fault({.op = S3Op::get_object, .times = 0, .flip_at = 5});
  auto out = stage("small");
  EXPECT_NE(out.kind, OutcomeKind::staged);
  EXPECT_EQ(out.error_code, "ChecksumMismatch");
  EXPECT_TRUE(stager_->scan()->complete.empty());
  EXPECT_TRUE(stager_->scan()->partial.empty());
}

TEST_F(StagedCopyTest, ABrokenGetIsResumedIntoTheSameFile) {
  server_->put("src", "small", test_bytes(3 * kMiB, 5));
  server_->add_fault({.op = S3Op::get_object, .cut_after = 100'000});
  ASSERT_EQ(stage("small").kind, OutcomeKind::staged);
  EXPECT_TRUE(staged_bytes("small") == server_->object("src", "small")->data);
}

TEST_F(StagedCopyTest, ASourceChangedSinceListingIsNotStaged) {
  server_->put("src", "small", test_bytes(1000, 6));
  auto r = listed("small", ObjectState::staging);
  server_->put("src", "small", test_bytes(1000, 7));
  EXPECT_EQ(fetcher().fetch(r, {}).kind, OutcomeKind::changed);
  EXPECT_TRUE(stager_->scan()->complete.empty());
  EXPECT_TRUE(stager_->scan()->partial.empty());
}

// A byte flipped on disk after staging: the upload refuses to send it.
TEST_F(StagedCopyTest, AStagedFileFlippedOnDiskComesBackCorrupt) {
  server_->put("src", "small", test_bytes(100'000, 8));
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 9), 5 * kMiB);
  for (const std::string key : {"small", "big"}) {
    ASSERT_EQ(stage(key).kind, OutcomeKind::staged) << key;
    std::fstream file(record(key).staged->path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(1234);
    file.put('\x7f' ^ server_->object("src", key)->data[1234]);
    file.close();
    auto out = upload(key);
    EXPECT_EQ(out.kind, OutcomeKind::corrupt) << key << " " << out.error_code;
    EXPECT_FALSE(server_->object("dst", key).has_value()) << key;
  }
  EXPECT_TRUE(server_->uploads("dst").empty());
}

TEST_F(StagedCopyTest, ARefusedPartIsRetriedAndTheUploadCompletes) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 10), 5 * kMiB);
  ASSERT_EQ(stage("big").kind, OutcomeKind::staged);
  server_->add_fault({.op = S3Op::upload_part, .nth = 2, .status = 503, .code = "SlowDown"});
  auto out = upload("big");
  EXPECT_EQ(out.kind, OutcomeKind::verified) << out.error_code;
  EXPECT_EQ(server_->calls(S3Op::upload_part), 4);
}

// A multipart source staged in its own layout is uploaded by streaming its
// parts from the file, proven by the destination's part ETags: no part is
// hashed here unless they disagree. Each fault on the way up ends in a
// correct copy (the bad parts found by a hashed re-read and sent again) or
// in no destination object, never a verified wrong one.
TEST_F(StagedCopyTest, AMultipartSourceIsProvenByTheDestinationsPartEtags) {
  server_->put_multipart("src", "big", test_bytes(12 * kMiB + 1, 30), 5 * kMiB);
  ASSERT_EQ(stage("big").kind, OutcomeKind::staged);
  auto out = upload("big");
  ASSERT_EQ(out.kind, OutcomeKind::verified) << out.error_code;
  EXPECT_NE(out.proof.find("destination's part ETags"), std::string::npos) << out.proof;
  EXPECT_EQ(server_->calls(S3Op::upload_part), 3);
  EXPECT_TRUE(server_->object("dst", "big")->data == server_->object("src", "big")->data);
}

TEST_F(StagedCopyTest, FaultsOnTheWayUpAreFoundByTheStreamedProofAndRepaired) {
  struct Case {
    std::string name;
    testing::S3Fault fault;
  };
  // Each part found bad is sent again: 3 streamed + 1.
  const std::vector<Case> cases{
      {"a byte flipped in a part upload", {.op = S3Op::upload_part, .nth = 2, .flip_at = 1000}},
      {"an empty part ETag (Ceph)", {.op = S3Op::upload_part, .nth = 1, .answer_etag = ""}},
      {"a wrong part ETag", {.op = S3Op::upload_part, .nth = 3, .answer_etag = std::string(32, 'a')}},
  };
  int seed = 40;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string key = "big-" + std::to_string(seed);
    server_->put_multipart("src", key, test_bytes(11 * kMiB, seed++), 5 * kMiB);
    ASSERT_EQ(stage(key).kind, OutcomeKind::staged);
    server_->clear_faults();
    server_->add_fault(c.fault);
    const int parts_before = server_->calls(S3Op::upload_part);
    auto out = upload(key);
    ASSERT_EQ(out.kind, OutcomeKind::verified) << out.error_code << ": " << out.proof;
    EXPECT_TRUE(server_->object("dst", key)->data == server_->object("src", key)->data);
    EXPECT_EQ(server_->object("dst", key)->etag, server_->object("src", key)->etag);
    EXPECT_EQ(server_->calls(S3Op::upload_part) - parts_before, 4);
    EXPECT_NE(out.proof.find("destination confirmed every part's MD5"), std::string::npos) << out.proof;
  }
}

// A part acknowledged but not kept: Complete refuses it (InvalidPart); the
// object fails for now, its upload aborted, nothing at the destination.
TEST_F(StagedCopyTest, APartLostByTheDestinationFailsTheObjectAndAbortsItsUpload) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 50), 5 * kMiB);
  ASSERT_EQ(stage("big").kind, OutcomeKind::staged);
  server_->add_fault({.op = S3Op::upload_part, .nth = 2, .drop_part = true});
  auto out = upload("big");
  EXPECT_EQ(out.kind, OutcomeKind::failed) << out.proof;
  EXPECT_FALSE(server_->object("dst", "big").has_value());
  EXPECT_TRUE(server_->uploads("dst").empty());
  // The next attempt starts afresh and completes.
  server_->clear_faults();
  auto again = upload("big");
  EXPECT_EQ(again.kind, OutcomeKind::verified) << again.error_code;
  EXPECT_TRUE(server_->object("dst", "big")->data == server_->object("src", "big")->data);
}

TEST_F(StagedCopyTest, SourceStreamHandsOverEveryByteOfABrokenGet) {
  const std::string data = test_bytes(2 * kMiB + 5, 11);
  server_->put("src", "s", data);
  server_->add_fault({.op = S3Op::get_object, .cut_after = 300'000});
  SourceStream stream(*client_, "src", "s", server_->object("src", "s")->etag, data.size(), 64 * 1024);
  std::string got;
  char buffer[10'000];
  for (;;) {
    auto n = stream.read(buffer, sizeof buffer);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    if (*n == 0) break;
    got.append(buffer, *n);
  }
  EXPECT_TRUE(got == data);
  EXPECT_EQ(stream.bytes_read(), data.size());
}

TEST_F(StagedCopyTest, SourceStreamOfAChangedSourceFailsWithPreconditionFailed) {
  server_->put("src", "s", test_bytes(1000, 12));
  const std::string old_etag = server_->object("src", "s")->etag;
  server_->put("src", "s", test_bytes(1000, 13));
  SourceStream stream(*client_, "src", "s", old_etag, 1000, 64 * 1024);
  char buffer[4096];
  auto n = stream.read(buffer, sizeof buffer);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, "PreconditionFailed");
  EXPECT_FALSE(n.error().retryable());
}

}  // namespace
}  // namespace s5j::transfer
