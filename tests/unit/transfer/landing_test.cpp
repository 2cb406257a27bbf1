// How objects land at the destination (transfer/landing.h) over the
// in-memory S3 server: every write of the direct copy (buffered PUT,
// streamed PUT, multipart, server-side copy) and of the relay's drain
// carries the storage class, encryption, tags and ACL, and the metadata of
// `copy`, `none` or a given map. Under SSE-KMS the server answers ETags that
// are no MD5s (as AWS does): every object is still verified, by Content-MD5
// and the checksums of the bytes read, and no server-side copy is made.
#include "transfer/landing.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "transfer/object_copier.h"
#include "transfer/staged_fetcher.h"
#include "transfer/staged_uploader.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;
using testing::S3Op;

std::string header_of(const http::Headers& headers, std::string_view name) {
  auto v = http::find_header(headers, name);
  return v ? std::string(*v) : std::string("(none)");
}

LandingSettings kms_landing() {
  LandingSettings l;
  l.options.storage_class = "STANDARD_IA";
  l.options.sse = "aws:kms";
  l.options.sse_kms_key_id = "alias/survey";
  l.options.tags = {{"project", "survey 2024"}};
  l.options.acl = "bucket-owner-full-control";
  return l;
}

std::vector<std::pair<std::string, std::string>> pairs_of(const http::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : headers) out.emplace_back(h.name, h.value);
  return out;
}

// Under SSE-KMS no destination ETag may take part in a proof.
void expect_no_destination_etag_in(const std::string& proof) {
  for (const char* claim : {"destination ETag", "destination's part ETags", "confirmed every part's MD5"})
    EXPECT_EQ(proof.find(claim), std::string::npos) << proof;
}

class LandingTest : public InMemoryFixture {
 protected:
  ObjectOutcome copy(const std::string& key, const LandingSettings& landing, bool server_side = false) {
    CopierSettings s;
    s.source_bucket = "src";
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    s.server_side_copy = server_side;
    s.landing = landing;
    ObjectCopier copier(s, *client_, *client_, *ledger_, budget_, pool_, *events_);
    auto out = copier.copy(listed(key));
    flush();
    return out;
  }

  void expect_landed_with_kms(const std::string& key, const ObjectOutcome& out) {
    SCOPED_TRACE(key);
    EXPECT_EQ(out.kind, OutcomeKind::verified) << out.error_code << " " << out.update.error.value_or("");
    EXPECT_TRUE(dst_data(key) == server_->object("src", key)->data);
    const auto dst = server_->object("dst", key);
    ASSERT_TRUE(dst.has_value());
    EXPECT_NE(dst->etag, server_->object("src", key)->etag) << "the server answered an SSE-KMS ETag";
    EXPECT_EQ(header_of(dst->landing, "x-amz-server-side-encryption"), "aws:kms");
    EXPECT_EQ(header_of(dst->landing, "x-amz-server-side-encryption-aws-kms-key-id"), "alias/survey");
    EXPECT_EQ(header_of(dst->landing, "x-amz-storage-class"), "STANDARD_IA");
    EXPECT_EQ(header_of(dst->landing, "x-amz-tagging"), "project=survey%202024");
    EXPECT_EQ(header_of(dst->landing, "x-amz-acl"), "bucket-owner-full-control");
    EXPECT_NE(out.proof.find("Content-MD5"), std::string::npos) << out.proof;
    expect_no_destination_etag_in(out.proof);
    EXPECT_TRUE(server_->uploads("dst").empty());
  }
};

TEST_F(LandingTest, UnderSseKmsEveryDirectCopyPathIsVerifiedWithoutTheEtags) {
  server_->put("src", "small", test_bytes(100'000, 1));
  server_->put("src", "streamed", test_bytes(6 * kMiB + 5, 2));
  server_->put("src", "plain-big", test_bytes(12 * kMiB + 3, 3));
  server_->put_multipart("src", "multi-big", test_bytes(12 * kMiB + 7, 4), 5 * kMiB);
  expect_landed_with_kms("small", copy("small", kms_landing()));
  expect_landed_with_kms("streamed", copy("streamed", kms_landing()));
  expect_landed_with_kms("plain-big", copy("plain-big", kms_landing()));
  expect_landed_with_kms("multi-big", copy("multi-big", kms_landing()));
  // The multipart source went up hashed, not streamed (whose proof is the
  // part ETags): its parts were sent once each.
  EXPECT_EQ(server_->calls(S3Op::upload_part), 6);
}

TEST_F(LandingTest, UnderSseKmsNoServerSideCopyIsMade) {
  server_->put("src", "plain", test_bytes(300'000, 5));
  expect_landed_with_kms("plain", copy("plain", kms_landing(), /*server_side=*/true));
  EXPECT_EQ(server_->calls(S3Op::copy_object), 0);
}

TEST_F(LandingTest, WithoutKmsTheDestinationEtagStillProves) {
  server_->put("src", "small", test_bytes(100'000, 6));
  LandingSettings l = kms_landing();
  l.options.sse = "AES256";
  l.options.sse_kms_key_id.clear();
  auto out = copy("small", l);
  EXPECT_EQ(out.kind, OutcomeKind::verified);
  EXPECT_NE(out.proof.find("destination ETag = MD5"), std::string::npos) << out.proof;
  EXPECT_EQ(header_of(server_->object("dst", "small")->landing, "x-amz-server-side-encryption"), "AES256");
}

TEST_F(LandingTest, MetadataIsCopiedDroppedOrGiven) {
  const http::Headers source_meta = {{"Content-Type", "text/plain"}, {"x-amz-meta-colour", "blue"}};
  LandingSettings given;
  given.metadata = MetadataLanding::given;
  given.given.headers = {{"content-type", "text/csv"}, {"x-amz-meta-origin", "landing"}};
  LandingSettings none;
  none.metadata = MetadataLanding::none;
  // A small object (one PUT) and a multipart one (CreateMultipartUpload),
  // one pair per mode.
  for (const std::string mode : {"copy", "none", "given"}) {
    server_->put("src", mode + "-small", test_bytes(1000, 7), source_meta);
    server_->put_multipart("src", mode + "-big", test_bytes(11 * kMiB, 8), 5 * kMiB, source_meta);
  }
  for (const std::string size : {"-small", "-big"}) {
    SCOPED_TRACE(size);
    ASSERT_EQ(copy("copy" + size, {}).kind, OutcomeKind::verified);
    EXPECT_EQ(header_of(server_->object("dst", "copy" + size)->metadata, "x-amz-meta-colour"), "blue");
    EXPECT_EQ(header_of(server_->object("dst", "copy" + size)->metadata, "Content-Type"), "text/plain");

    ASSERT_EQ(copy("none" + size, none).kind, OutcomeKind::verified);
    EXPECT_TRUE(server_->object("dst", "none" + size)->metadata.empty());

    ASSERT_EQ(copy("given" + size, given).kind, OutcomeKind::verified);
    EXPECT_EQ(pairs_of(server_->object("dst", "given" + size)->metadata), pairs_of(given.given.headers));
  }
}

TEST_F(LandingTest, ServerSideCopyReplacesMetadataAndTagsWhenAsked) {
  server_->put("src", "plain", test_bytes(300'000, 9), {{"x-amz-meta-colour", "blue"}});
  LandingSettings l;
  l.metadata = MetadataLanding::none;
  l.options.tags = {{"k", "v"}};
  l.options.storage_class = "STANDARD";
  auto out = copy("plain", l, /*server_side=*/true);
  EXPECT_EQ(out.kind, OutcomeKind::verified);
  EXPECT_EQ(out.method, CopyMethod::server_copy);
  const auto dst = server_->object("dst", "plain");
  EXPECT_TRUE(dst->metadata.empty());
  EXPECT_EQ(header_of(dst->landing, "x-amz-tagging"), "k=v");
  EXPECT_EQ(header_of(dst->landing, "x-amz-storage-class"), "STANDARD");
}

TEST(LandingOptions, CopyOptionsReplaceOnlyWhatTheFileChanges) {
  EXPECT_FALSE(landing_copy_options({}, "e").replace_metadata);
  EXPECT_EQ(landing_copy_options({}, "e").if_match, "e");
  LandingSettings given;
  given.metadata = MetadataLanding::given;
  given.given.headers = {{"content-type", "text/csv"}};
  const auto replaced = landing_copy_options(given, "");
  EXPECT_TRUE(replaced.replace_metadata);
  EXPECT_EQ(pairs_of(replaced.landing.metadata.headers), pairs_of(given.given.headers));
}

// The relay's drain: uploads from the staged files land the same way.
class StagedLandingTest : public InMemoryFixture {
 protected:
  void SetUp() override {
    InMemoryFixture::SetUp();
    std::filesystem::create_directories(dir_ + "/volume");
    staging::StagingOptions options;
    options.volumes = {dir_ + "/volume"};
    options.job = "job";
    options.reserve_bytes = 0;
    auto s = staging::Stager::open(options);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    stager_ = std::move(*s);
    job(ledger::JobMode::staged);
  }
  ObjectOutcome relay(const std::string& key, const LandingSettings& landing) {
    auto r = listed(key, ObjectState::staging);
    StagedFetcher fetcher({.source_bucket = "src", .part_size = 5 * kMiB, .multipart_threshold = 8 * kMiB},
                          *client_, *stager_, pool_, *events_);
    auto staged = fetcher.fetch(r, {});
    EXPECT_EQ(staged.kind, OutcomeKind::staged) << staged.error_code;
    move_to(r, ObjectState::staged, staged.update);
    StagedUploadSettings s;
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    s.landing = landing;
    StagedUploader uploader(s, *client_, *ledger_, *stager_, budget_, pool_, *events_);
    auto out = uploader.upload(move_to(record(key), ObjectState::uploading));
    flush();
    return out;
  }
  std::unique_ptr<staging::Stager> stager_;
};

TEST_F(StagedLandingTest, UnderSseKmsEveryDrainPathIsVerifiedAndLandsAsConfigured) {
  const http::Headers source_meta = {{"x-amz-meta-colour", "blue"}};
  server_->put("src", "small", test_bytes(200'000, 11), source_meta);
  server_->put("src", "mid", test_bytes(6 * kMiB, 12), source_meta);
  server_->put_multipart("src", "big", test_bytes(12 * kMiB + 1, 13), 5 * kMiB, source_meta);
  LandingSettings l = kms_landing();
  l.metadata = MetadataLanding::given;
  l.given.headers = {{"x-amz-meta-origin", "relay"}};
  for (const std::string key : {"small", "mid", "big"}) {
    SCOPED_TRACE(key);
    auto out = relay(key, l);
    EXPECT_EQ(out.kind, OutcomeKind::verified) << out.error_code << " " << out.update.error.value_or("");
    expect_no_destination_etag_in(out.proof);
    const auto dst = server_->object("dst", key);
    ASSERT_TRUE(dst.has_value());
    EXPECT_TRUE(dst->data == server_->object("src", key)->data);
    EXPECT_EQ(pairs_of(dst->metadata), pairs_of(l.given.headers));
    EXPECT_EQ(header_of(dst->landing, "x-amz-server-side-encryption"), "aws:kms");
    EXPECT_EQ(header_of(dst->landing, "x-amz-tagging"), "project=survey%202024");
  }
  EXPECT_TRUE(server_->uploads("dst").empty());
}

TEST_F(StagedLandingTest, TheStagedMetadataIsCopiedByDefault) {
  server_->put("src", "small", test_bytes(1000, 14), {{"x-amz-meta-colour", "blue"}});
  ASSERT_EQ(relay("small", {}).kind, OutcomeKind::verified);
  EXPECT_EQ(header_of(server_->object("dst", "small")->metadata, "x-amz-meta-colour"), "blue");
  EXPECT_TRUE(server_->object("dst", "small")->landing.empty());
}

}  // namespace
}  // namespace s5j::transfer
