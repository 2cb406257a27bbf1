// ObjectCopier over the in-memory S3 server, every strategy: a buffered
// PUT, a streamed PUT, a multipart upload (parts in parallel, resumed after
// a failure without sending its parts again), server-side copy and its
// fallback when refused; a flipped byte never becomes a verified object; a
// source that changes or vanishes mid-copy comes back as such.
#include "transfer/object_copier.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "checksum/crc32c.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using testing::S3Fault;
using testing::S3Op;

class ObjectCopierTest : public InMemoryFixture {
 protected:
  ObjectCopier copier(bool server_side = false) {
    CopierSettings s;
    s.source_bucket = "src";
    s.destination_bucket = "dst";
    s.part_size = 5 * kMiB;
    s.multipart_threshold = 8 * kMiB;
    s.server_side_copy = server_side;
    return ObjectCopier(s, *client_, *client_, *ledger_, budget_, pool_, *events_);
  }
  ObjectOutcome copy(const std::string& key, bool server_side = false) {
    auto c = copier(server_side);
    auto out = c.copy(listed(key));
    flush();
    return out;
  }
  void expect_verified_copy(const ObjectOutcome& out, const std::string& key, CopyMethod method) {
    EXPECT_EQ(out.kind, OutcomeKind::verified) << out.error_code << " " << out.update.error.value_or("");
    EXPECT_EQ(out.method, method) << to_string(out.method);
    EXPECT_TRUE(dst_data(key) == server_->object("src", key)->data) << key;
    EXPECT_EQ(server_->object("dst", key)->etag, server_->object("src", key)->etag);
    EXPECT_TRUE(server_->uploads("dst").empty());
  }
};

TEST_F(ObjectCopierTest, SmallObjectGoesAsOneBufferedPut) {
  server_->put("src", "small", test_bytes(100'000, 1), {{"Content-Type", "text/plain"}, {"x-amz-meta-colour", "blue"}});
  auto out = copy("small");
  expect_verified_copy(out, "small", CopyMethod::put);
  EXPECT_EQ(server_->calls(S3Op::put_object), 1);
  const auto metadata = server_->object("dst", "small")->metadata;
  EXPECT_NE(std::find_if(metadata.begin(), metadata.end(),
                         [](const http::Header& h) { return h.name == "x-amz-meta-colour" && h.value == "blue"; }),
            metadata.end());
}

TEST_F(ObjectCopierTest, EmptyObjectIsCopied) {
  server_->put("src", "empty", "");
  expect_verified_copy(copy("empty"), "empty", CopyMethod::put);
}

TEST_F(ObjectCopierTest, PlainObjectAboveThePartSizeIsStreamedWithTheSourceMd5) {
  server_->put("src", "streamed", test_bytes(6 * kMiB + 123, 2));
  auto out = copy("streamed");
  expect_verified_copy(out, "streamed", CopyMethod::streamed_put);
  EXPECT_EQ(server_->calls(S3Op::get_object), 1);
}

TEST_F(ObjectCopierTest, StreamedPutOfABrokenGetResumesTheGet) {
  server_->put("src", "streamed", test_bytes(6 * kMiB, 3));
  server_->add_fault({.op = S3Op::get_object, .cut_after = 1'000'000});
  expect_verified_copy(copy("streamed"), "streamed", CopyMethod::streamed_put);
  EXPECT_EQ(server_->calls(S3Op::get_object), 2);  // the first, cut; the resumed range
}

TEST_F(ObjectCopierTest, MultipartSourceIsCopiedInPartsWithItsOwnLayout) {
  server_->put_multipart("src", "big", test_bytes(12 * kMiB + 7, 4), 5 * kMiB);
  auto out = copy("big");
  expect_verified_copy(out, "big", CopyMethod::multipart);
  EXPECT_EQ(server_->object("dst", "big")->part_sizes, server_->object("src", "big")->part_sizes);
  EXPECT_EQ(server_->calls(S3Op::upload_part), 3);
  EXPECT_EQ(record("big").state, ledger::ObjectState::copying);  // the transition is the leg's
}

// Without HEAD ?partNumber the source's part size is inferred from its
// ETag and size: the copy still mirrors it.
TEST_F(ObjectCopierTest, MultipartLayoutIsInferredWhenHeadPartNumberIsRefused) {
  server_->refuse(S3Op::head_object_part);
  server_->put_multipart("src", "big", test_bytes(12 * kMiB, 25), 5 * kMiB);
  expect_verified_copy(copy("big"), "big", CopyMethod::multipart);
  EXPECT_EQ(server_->object("dst", "big")->part_sizes, server_->object("src", "big")->part_sizes);
}

TEST_F(ObjectCopierTest, AFailedMultipartCopyResumesWithoutSendingItsPartsAgain) {
  server_->put_multipart("src", "big", test_bytes(16 * kMiB, 5), 5 * kMiB);
  // Every UploadPart after the first fails, retries included.
  server_->add_fault({.op = S3Op::upload_part, .nth = 2, .times = 0, .status = 500, .code = "InternalError"});
  auto first = copy("big");
  ASSERT_EQ(first.kind, OutcomeKind::failed);
  EXPECT_FALSE(server_->object("dst", "big").has_value());
  auto progress = ledger_->active_upload(record("big").id);
  ASSERT_TRUE(progress.has_value() && progress->has_value());
  const size_t recorded = (*progress)->parts.size();
  EXPECT_EQ(recorded, 1u);
  ASSERT_EQ(server_->uploads("dst").size(), 1u);

  server_->clear_faults();
  const int parts_before = server_->calls(S3Op::upload_part);
  auto c = copier();
  auto second = c.copy(record("big"));
  flush();
  expect_verified_copy(second, "big", CopyMethod::multipart);
  EXPECT_EQ(server_->calls(S3Op::upload_part) - parts_before, static_cast<int>(4 - recorded));
  EXPECT_EQ(server_->calls(S3Op::create_multipart_upload), 1);
}

TEST_F(ObjectCopierTest, ServerSideCopyOfPlainAndMultipartObjects) {
  server_->put("src", "plain", test_bytes(300'000, 6));
  server_->put_multipart("src", "parts", test_bytes(11 * kMiB, 7), 5 * kMiB);
  expect_verified_copy(copy("plain", true), "plain", CopyMethod::server_copy);
  expect_verified_copy(copy("parts", true), "parts", CopyMethod::server_multipart_copy);
  EXPECT_EQ(server_->calls(S3Op::get_object), 0);
  EXPECT_EQ(server_->calls(S3Op::put_object), 0);
  EXPECT_EQ(server_->calls(S3Op::copy_object), 1);
  EXPECT_EQ(server_->calls(S3Op::upload_part_copy), 3);
}

TEST_F(ObjectCopierTest, RefusedServerSideCopyFallsBackToStreamingForTheRestOfTheRun) {
  server_->refuse(S3Op::copy_object);
  server_->put("src", "a", test_bytes(1000, 8));
  server_->put("src", "b", test_bytes(2000, 9));
  auto c = copier(true);
  auto a = c.copy(listed("a"));
  auto b = c.copy(listed("b"));
  expect_verified_copy(a, "a", CopyMethod::put);
  expect_verified_copy(b, "b", CopyMethod::put);
  EXPECT_EQ(server_->calls(S3Op::copy_object), 1);
}

TEST_F(ObjectCopierTest, RefusedUploadPartCopyFallsBackToMultipart) {
  server_->refuse(S3Op::upload_part_copy);
  server_->put_multipart("src", "parts", test_bytes(11 * kMiB, 10), 5 * kMiB);
  expect_verified_copy(copy("parts", true), "parts", CopyMethod::multipart);
}

TEST_F(ObjectCopierTest, AByteFlippedOnceIsReadAgainAndCopied) {
  server_->put("src", "small", test_bytes(50'000, 11));
  server_->add_fault({.op = S3Op::get_object, .flip_at = 100});
  auto out = copy("small");
  expect_verified_copy(out, "small", CopyMethod::put);
  EXPECT_EQ(server_->calls(S3Op::get_object), 2);
}

TEST_F(ObjectCopierTest, AStreamedPutOfAFlippedByteIsRefusedAndSentAgainFromAFreshRead) {
  server_->put("src", "streamed", test_bytes(6 * kMiB, 26));
  server_->add_fault({.op = S3Op::get_object, .flip_at = 3 * kMiB});
  expect_verified_copy(copy("streamed"), "streamed", CopyMethod::streamed_put);
  EXPECT_EQ(server_->calls(S3Op::put_object), 2);  // BadDigest, then the fresh read
  EXPECT_EQ(server_->calls(S3Op::get_object), 2);
}

// A multipart source copied in its own layout streams its parts and hashes
// nothing: the destination's part ETags combine into the source's ETag.
TEST_F(ObjectCopierTest, AMirroredMultipartCopyIsProvenByTheDestinationsPartEtags) {
  server_->put_multipart("src", "big", test_bytes(12 * kMiB + 7, 29), 5 * kMiB);
  auto out = copy("big");
  expect_verified_copy(out, "big", CopyMethod::multipart);
  EXPECT_NE(out.proof.find("destination's part ETags"), std::string::npos) << out.proof;
  EXPECT_EQ(server_->calls(S3Op::get_object), 3);  // each part read once
  EXPECT_EQ(server_->calls(S3Op::upload_part), 3);
  EXPECT_EQ(out.update.crc32c, checksum::crc32c_of(server_->object("src", "big")->data));
}

// A byte flipped on the way from the source is stored and MD5'd by the
// destination: the part ETags no longer combine into the source's ETag.
// Every part is read again and hashed; only the bad one is sent again.
TEST_F(ObjectCopierTest, AByteFlippedInAPartsGetIsFoundAndOnlyThatPartSentAgain) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 27), 5 * kMiB);
  // The first attempt's three ranged GETs; the one covering 7 MiB flips.
  server_->add_fault({.op = S3Op::get_object, .times = 3, .flip_at = 7 * kMiB});
  auto out = copy("big");
  expect_verified_copy(out, "big", CopyMethod::multipart);
  EXPECT_EQ(server_->calls(S3Op::get_object), 6);   // streamed, then each part again, hashed
  EXPECT_EQ(server_->calls(S3Op::upload_part), 4);  // three, then the bad one again
  EXPECT_EQ(server_->calls(S3Op::create_multipart_upload), 1);
  EXPECT_EQ(server_->calls(S3Op::abort_multipart_upload), 0);
}

// A byte flipped on the way up is what the destination stores and MD5s.
TEST_F(ObjectCopierTest, AByteFlippedInAPartUploadIsFoundAndThatPartSentAgain) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 30), 5 * kMiB);
  server_->add_fault({.op = S3Op::upload_part, .nth = 2, .flip_at = 1000});
  auto out = copy("big");
  expect_verified_copy(out, "big", CopyMethod::multipart);
  EXPECT_EQ(server_->calls(S3Op::upload_part), 4);
  EXPECT_EQ(server_->calls(S3Op::create_multipart_upload), 1);
}

// A part acknowledged with the right ETag but not kept: Complete refuses
// (InvalidPart), the upload is abandoned and the copy redone.
TEST_F(ObjectCopierTest, APartLostByTheDestinationIsSentAgainInAFreshUpload) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 31), 5 * kMiB);
  server_->add_fault({.op = S3Op::upload_part, .nth = 2, .drop_part = true});
  auto out = copy("big");
  expect_verified_copy(out, "big", CopyMethod::multipart);
  EXPECT_EQ(server_->calls(S3Op::create_multipart_upload), 2);
  EXPECT_EQ(server_->calls(S3Op::abort_multipart_upload), 1);
}

// The layout guessed from the ETag (HEAD ?partNumber refused) is wrong: the
// part ETags cannot combine into the source's. The second, hashed read
// agrees with what the destination stored, so the copy stands (with its
// own layout and ETag), proven by two reads.
TEST_F(ObjectCopierTest, AWronglyGuessedLayoutIsProvenByTwoReadsAgreeing) {
  server_->refuse(S3Op::head_object_part);
  server_->put_multipart("src", "odd", test_bytes(20 * kMiB, 32), 7 * kMiB);  // 3 parts; 8 MiB is guessed
  auto out = copy("odd");
  EXPECT_EQ(out.kind, OutcomeKind::verified) << out.error_code << " " << out.update.error.value_or("");
  EXPECT_NE(out.proof.find("two reads agree"), std::string::npos) << out.proof;
  EXPECT_TRUE(dst_data("odd") == server_->object("src", "odd")->data);
  EXPECT_EQ(server_->object("dst", "odd")->part_sizes, (std::vector<uint64_t>{8 * kMiB, 8 * kMiB, 4 * kMiB}));
  EXPECT_EQ(server_->calls(S3Op::upload_part), 3);  // nothing sent twice
  EXPECT_EQ(server_->calls(S3Op::get_object), 6);
}

// ... and with a byte flipped in the first read as well, the bad part is
// sent again and every part read a third time before the copy stands.
TEST_F(ObjectCopierTest, AWronglyGuessedLayoutWithAFlippedByteNeedsAThirdRead) {
  server_->refuse(S3Op::head_object_part);
  server_->put_multipart("src", "odd", test_bytes(20 * kMiB, 33), 7 * kMiB);
  server_->add_fault({.op = S3Op::get_object, .times = 3, .flip_at = 9 * kMiB});
  auto out = copy("odd");
  EXPECT_EQ(out.kind, OutcomeKind::verified) << out.error_code << " " << out.update.error.value_or("");
  EXPECT_TRUE(dst_data("odd") == server_->object("src", "odd")->data);
  EXPECT_EQ(server_->calls(S3Op::upload_part), 4);
  EXPECT_EQ(server_->calls(S3Op::get_object), 9);
}

// A part answered with an empty ETag (or any ETag that is no MD5) proves
// nothing: that part is sent again, hashed, with Content-MD5.
TEST_F(ObjectCopierTest, APartAnsweredWithAnEmptyEtagIsSentAgain) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 34), 5 * kMiB);
  server_->add_fault({.op = S3Op::upload_part, .nth = 1, .answer_etag = ""});
  expect_verified_copy(copy("big"), "big", CopyMethod::multipart);
  EXPECT_EQ(server_->calls(S3Op::upload_part), 4);
}

TEST_F(ObjectCopierTest, APartAnsweredWithAWrongEtagOnceIsSentAgain) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 35), 5 * kMiB);
  server_->add_fault({.op = S3Op::upload_part, .nth = 3, .answer_etag = std::string(32, 'a')});
  expect_verified_copy(copy("big"), "big", CopyMethod::multipart);
  EXPECT_EQ(server_->calls(S3Op::upload_part), 4);
}

// Ceph 16 answers Complete with an empty ETag: HEAD shows the real one.
TEST_F(ObjectCopierTest, AnEmptyEtagOnCompleteIsCheckedByHead) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 36), 5 * kMiB);
  server_->add_fault({.op = S3Op::complete_multipart_upload, .answer_etag = ""});
  expect_verified_copy(copy("big"), "big", CopyMethod::multipart);
}

// A destination whose part ETags are always wrong or always empty never
// gets a verified object, whatever is retried.
TEST_F(ObjectCopierTest, PartEtagsAlwaysWrongOrEmptyAreNeverVerified) {
  for (const std::string& answer : {std::string(32, 'b'), std::string()}) {
    const std::string key = "big-" + std::to_string(answer.size());
    SCOPED_TRACE("answer ETag '" + answer + "'");
    server_->clear_faults();
    server_->put_multipart("src", key, test_bytes(11 * kMiB, 37), 5 * kMiB);
    server_->add_fault({.op = S3Op::upload_part, .times = 0, .answer_etag = answer});
    auto out = copy(key);
    EXPECT_EQ(out.kind, OutcomeKind::failed) << out.proof;
    EXPECT_FALSE(server_->object("dst", key).has_value());
    EXPECT_FALSE(out.update.dest_etag.has_value());
  }
}

// Parts go in parallel: two UploadParts are in the server at once (each
// waits, bounded, for the other to arrive).
TEST_F(ObjectCopierTest, PartsAreSentInParallel) {
  server_->put_multipart("src", "big", test_bytes(16 * kMiB, 28), 5 * kMiB);
  std::mutex mutex;
  std::condition_variable arrived;
  int parts_arrived = 0;
  bool met = false;
  server_->on_request = [&](const testing::RequestSeen& seen) {
    if (seen.op != S3Op::upload_part) return;
    std::unique_lock lock(mutex);
    ++parts_arrived;
    arrived.notify_all();
    if (arrived.wait_for(lock, std::chrono::seconds(10), [&] { return parts_arrived >= 2; }) && seen.call <= 2)
      met = true;
  };
  expect_verified_copy(copy("big"), "big", CopyMethod::multipart);
  EXPECT_TRUE(met);
}

// Whatever the strategy, bytes that differ from the source never become a
// destination object.
TEST_F(ObjectCopierTest, AByteFlippedOnEveryReadIsNeverVerified) {
  server_->put("src", "small", test_bytes(50'000, 12));
  server_->put("src", "streamed", test_bytes(6 * kMiB, 13));
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 14), 5 * kMiB);
  server_->put("src", "plain-big", test_bytes(9 * kMiB, 15));  // plain ETag, multipart copy
  // The first fault that matches a request applies.
  server_->add_fault({.op = S3Op::get_object, .key = "small", .times = 0, .flip_at = 10});
  server_->add_fault({.op = S3Op::get_object, .times = 0, .flip_at = 6 * kMiB - 1});
  for (const std::string key : {"small", "streamed", "big", "plain-big"}) {
    auto out = copy(key);
    EXPECT_NE(out.kind, OutcomeKind::verified) << key;
    EXPECT_FALSE(server_->object("dst", key).has_value()) << key;
    EXPECT_FALSE(out.update.dest_etag.has_value()) << key;
  }
}

TEST_F(ObjectCopierTest, ASourceChangedSinceListingComesBackChanged) {
  server_->put("src", "small", test_bytes(1000, 16));
  auto r = listed("small");
  server_->put("src", "small", test_bytes(1000, 17));
  auto c = copier();
  auto out = c.copy(r);
  EXPECT_EQ(out.kind, OutcomeKind::changed) << out.error_code;
  EXPECT_FALSE(server_->object("dst", "small").has_value());
}

TEST_F(ObjectCopierTest, ASourceChangedBetweenItsPartsComesBackChanged) {
  server_->put_multipart("src", "big", test_bytes(11 * kMiB, 18), 5 * kMiB);
  auto r = listed("big");
  server_->on_request = [&](const testing::RequestSeen& seen) {
    if (seen.op == S3Op::get_object && seen.call == 1) server_->put("src", "big", test_bytes(11 * kMiB, 19));
  };
  auto c = copier();
  auto out = c.copy(r);
  EXPECT_EQ(out.kind, OutcomeKind::changed) << out.error_code;
  EXPECT_FALSE(server_->object("dst", "big").has_value());
}

TEST_F(ObjectCopierTest, ServerSideCopyOfAChangedSourceComesBackChanged) {
  server_->put("src", "plain", test_bytes(1000, 20));
  auto r = listed("plain");
  server_->put("src", "plain", test_bytes(1000, 21));
  auto c = copier(true);
  auto out = c.copy(r);
  EXPECT_EQ(out.kind, OutcomeKind::changed) << out.error_code;
  EXPECT_FALSE(server_->object("dst", "plain").has_value());
}

TEST_F(ObjectCopierTest, ADeletedSourceComesBackVanished) {
  server_->put("src", "gone", test_bytes(1000, 22));
  auto r = listed("gone");
  server_->remove("src", "gone");
  auto c = copier();
  EXPECT_EQ(c.copy(r).kind, OutcomeKind::vanished);
}

TEST_F(ObjectCopierTest, ThrottledPutIsRetried) {
  server_->put("src", "small", test_bytes(1000, 23));
  server_->add_fault({.op = S3Op::put_object, .status = 503, .code = "SlowDown"});
  expect_verified_copy(copy("small"), "small", CopyMethod::put);
  EXPECT_EQ(server_->calls(S3Op::put_object), 2);
}

TEST_F(ObjectCopierTest, AccessDeniedFailsTheObject) {
  server_->put("src", "small", test_bytes(1000, 24));
  server_->add_fault({.op = S3Op::put_object, .times = 0, .status = 403, .code = "AccessDenied"});
  auto out = copy("small");
  EXPECT_EQ(out.kind, OutcomeKind::failed);
  EXPECT_EQ(out.error_code, "AccessDenied");
  EXPECT_EQ(server_->calls(S3Op::put_object), 1);
}

}  // namespace
}  // namespace s5j::transfer
