// A byte flipped in a source answer (or in a part upload) never reaches
// `verified`, and a transient flip does not fail the run: the copier
// re-reads (single PUT), finds and resends the bad parts (a multipart
// source in its own layout) or abandons the upload and redoes the whole
// object (a plain source copied in parts), in the same run. A source that reads differently every time fails, with nothing wrong
// left at the destination. The s5j binary runs with the fault proxy in
// front of the source gateway.
#include <gtest/gtest.h>

#include "fault/fault_proxy.h"
#include "integration/reliability_support.h"

namespace s5j::testing {
namespace {

const char* kTransfer = "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 1\n";
// Objects between the part size and the threshold go in one PUT: buffered
// up to the part size, streamed above it (plain-MD5 sources).
const char* kTransferOnePut = "transfer:\n  part_size: 8MiB\n  multipart_threshold: 64MiB\n  workers: 1\n  max_attempts: 3\n";

class Corruption : public TwoBuckets {
 protected:
  void SetUp() override {
    TwoBuckets::SetUp();
    proxy_ = std::make_unique<FaultProxy>(FaultProxyOptions{.upstream = endpoint_a()});
  }
  void TearDown() override {
    proxy_.reset();
    TwoBuckets::TearDown();
  }
  // Flips a byte in the first `flips` GetObject answers (all when 0).
  void flip_gets(uint64_t flips) {
    proxy_->set_plan({.seed = 11, .rate = 1.0, .kinds = {FaultKind::flip_byte},
                      .filter = {.operations = {"GetObject"}}, .max_faults = flips});
  }
  ProcessResult sync(const char* transfer = kTransfer) {
    return run_s5j({"sync", "-c", config(proxy_->url(), endpoint_b(), transfer), "--no-progress"});
  }
  std::vector<nlohmann::json> events(const std::string& name) { return events_named(read_events(log_dir()), name); }
  std::string proof_of(const std::string& key) {
    for (const auto& e : events("object_verified"))
      if (e["key"] == key) return e["proof"];
    return {};
  }

  std::unique_ptr<FaultProxy> proxy_;
};

// One flipped part of a plain-MD5 source copied in parts: the whole-object
// MD5 fails before Complete, the upload is abandoned, the object redone.
TEST_F(Corruption, FlippedPartOfPlainSourceIsRedoneInTheSameRun) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/big", random_bytes(13 * kMiB + 5, 1)}}));
  flip_gets(1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(proxy_->counters().faulted(FaultKind::flip_byte), 1u);
  auto retried = events("object_retried");
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0]["code"], "ChecksumMismatch");
  EXPECT_EQ(proof_of("in/big").rfind("source ETag = MD5 of bytes read", 0), 0u) << proof_of("in/big");
  expect_identical();
  expect_no_open_uploads();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, 1u);
}

// A multipart source whose part layout is guessed right (5 MiB parts) is
// streamed part by part, nothing hashed here: RGW's part ETags (its MD5s of
// what it stored) combine into the source's ETag.
TEST_F(Corruption, CleanMultipartSourceIsProvenByTheDestinationsPartEtags) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/mpu5", random_bytes(12 * kMiB + 77, 2), 5 * kMiB}}));
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(events("parts_rechecked").empty());
  EXPECT_EQ(proof_of("in/mpu5").rfind("the destination's part ETags", 0), 0u) << proof_of("in/mpu5");
  expect_identical();
  expect_no_open_uploads();
}

// ... a flipped read is stored and MD5'd by RGW: the part ETags no longer
// combine into the source's, every part is read again and hashed, the bad
// one sent again, all in the same upload.
TEST_F(Corruption, FlippedPartOfMultipartSourceIsFoundAndSentAgain) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/mpu5", random_bytes(12 * kMiB + 77, 2), 5 * kMiB}}));
  flip_gets(1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rechecked = events("parts_rechecked");
  ASSERT_EQ(rechecked.size(), 1u);
  EXPECT_EQ(rechecked[0]["reason"], "etag_mismatch");
  EXPECT_TRUE(events("object_retried").empty());
  EXPECT_NE(proof_of("in/mpu5").find("multipart ETag reproduced"), std::string::npos) << proof_of("in/mpu5");
  expect_identical();
  expect_no_open_uploads();
}

// A byte flipped on the way up (no Content-MD5 on a streamed part, so RGW
// stores it): its part ETag gives it away and the part is sent again.
TEST_F(Corruption, FlippedPartUploadIsFoundAndSentAgain) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/mpu5", random_bytes(12 * kMiB + 77, 12), 5 * kMiB}}));
  FaultProxy to_destination(FaultProxyOptions{.upstream = endpoint_b()});
  to_destination.set_plan({.seed = 12, .rate = 1.0, .kinds = {FaultKind::flip_request_byte},
                           .filter = {.operations = {"UploadPart"}}, .max_faults = 1});
  auto r = run_s5j({"sync", "-c", config(proxy_->url(), to_destination.url(), kTransfer), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(to_destination.counters().faulted(FaultKind::flip_request_byte), 1u);
  EXPECT_EQ(events("parts_rechecked").size(), 1u);
  expect_identical();
  expect_no_open_uploads();
}

// A multipart source whose layout cannot be guessed (6 MiB parts; Ceph does
// not answer HEAD ?partNumber): its ETag proves nothing about the bytes, so
// two reads must agree; a flipped read makes them disagree.
TEST_F(Corruption, UnguessableLayoutNeedsTwoAgreeingReads) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/mpu6", random_bytes(14 * kMiB, 3), 6 * kMiB}}));
  flip_gets(1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(events("parts_rechecked").size(), 1u);
  EXPECT_NE(proof_of("in/mpu6").find("two reads agree"), std::string::npos) << proof_of("in/mpu6");
  expect_identical();
  expect_no_open_uploads();
}

// Small objects (single PUT): a plain-MD5 source is read again.
TEST_F(Corruption, SinglePutRereadsAFlippedObject) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/plain", random_bytes(300'000, 4)}}));
  flip_gets(1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(proxy_->counters().faulted(FaultKind::flip_byte), 1u);
  EXPECT_EQ(proof_of("in/plain").rfind("source ETag = MD5 of bytes read", 0), 0u) << proof_of("in/plain");
  expect_identical();
}

// A multipart source within one buffer (single PUT) is proven by the ETag
// rebuilt from its bytes in the guessed layout; a flipped read is read again.
TEST_F(Corruption, SinglePutOfAMultipartSourceRereadsAFlippedObject) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/small-mpu", random_bytes(5 * kMiB + 512, 5), 5 * kMiB}}));
  flip_gets(1);
  auto r = sync(kTransferOnePut);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(proxy_->counters().faulted(FaultKind::flip_byte), 1u);
  EXPECT_NE(proof_of("in/small-mpu").find("multipart ETag reproduced"), std::string::npos) << proof_of("in/small-mpu");
  expect_identical();
}

// A plain-MD5 object above the part size is streamed in one PUT carrying
// the source's MD5: nothing hashes it here, the destination refuses the
// flipped bytes (BadDigest) and the retried PUT reads the source again.
TEST_F(Corruption, StreamedPutOfAFlippedReadIsRefusedAndSentAgainFromAFreshRead) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/streamed", random_bytes(13 * kMiB + 1, 9)}}));
  flip_gets(1);
  auto r = sync(kTransferOnePut);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(proxy_->counters().faulted(FaultKind::flip_byte), 1u);
  auto rereads = events("object_reread");
  ASSERT_EQ(rereads.size(), 1u);
  EXPECT_EQ(rereads[0]["reason"], "put_retried");
  bool refused = false;
  for (const auto& e : events("request_retried")) refused |= e["code"] == "BadDigest";
  EXPECT_TRUE(refused) << "the destination should have refused the flipped bytes";
  EXPECT_EQ(proof_of("in/streamed").rfind("destination checked the source's MD5", 0), 0u) << proof_of("in/streamed");
  expect_identical();
  expect_no_open_uploads();
  auto src = src_->head_object(src_bucket_, "in/streamed");
  auto dst = dst_->head_object(dst_bucket_, "out/streamed");
  ASSERT_TRUE(src && dst);
  EXPECT_EQ(src->etag, dst->etag);
}

// A streamed object whose every read is flipped: each attempt is refused,
// the object fails (ChecksumMismatch, exit 12) and nothing arrives.
TEST_F(Corruption, StreamedPutOfASourceThatNeverReadsTheSameFails) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/streamed", random_bytes(9 * kMiB, 10)}}));
  flip_gets(0);
  auto r = sync(kTransferOnePut);
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;
  auto failed = events("object_failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["code"], "ChecksumMismatch") << failed[0].dump();
  EXPECT_TRUE(destination_digests().empty()) << "a corrupt copy reached the destination";
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, 0u);
}

// Every read corrupted (a source that never reads the same): nothing is
// verified, the run says so (exit 12), nothing arrives at the destination,
// and no upload is left open.
TEST_F(Corruption, SourceThatNeverReadsTheSameFailsWithNothingWrongAtTheDestination) {
  ASSERT_TRUE(seed_objects(*src_, src_bucket_,
                           {{"in/plain", random_bytes(200'000, 6)},
                            {"in/big", random_bytes(13 * kMiB, 7)},
                            {"in/mpu6", random_bytes(14 * kMiB, 8), 6 * kMiB}}));
  flip_gets(0);
  auto r = sync();
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;
  EXPECT_TRUE(events("object_verified").empty());
  EXPECT_EQ(events("object_failed").size(), 3u);
  for (const auto& e : events("object_failed")) EXPECT_EQ(e["code"], "ChecksumMismatch") << e.dump();
  EXPECT_TRUE(destination_digests().empty()) << "a corrupt copy reached the destination";
  expect_no_open_uploads();
  auto verdict = ledger_verdict(ledger_path());
  EXPECT_EQ(verdict.verified, 0u);
  EXPECT_EQ(verdict.other, 3u);
  // Once the source reads cleanly again, the next run copies everything.
  proxy_->set_plan({});
  auto again = sync();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  expect_identical();
}

}  // namespace
}  // namespace s5j::testing
