// The Ledger conformance suite, TransitionQueue part
// (ledger/transition_queue.h): queued transitions, their checks at queue and
// at flush time, and what a flush makes durable. Multipart progress and
// what `attempts` counts have their own files of this suite
// (ledger_conformance_uploads.h, ledger_conformance_attempts.h).
#pragma once

#include "unit/ledger/ledger_conformance.h"

namespace s5j::ledger::conformance {

class TransitionQueueConformance : public LedgerConformance {};

TEST_P(TransitionQueueConformance, DirectLifecycleRecordsEverything) {
  const JobId j = job();
  add(j, {"obj"});
  auto claimed = ledger_->claim(ClaimRequest{j, 10, "w1", std::chrono::minutes(1), {ObjectState::pending}});
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_TRUE(commit(Transition::of(claimed->front(), ObjectState::copying, "w1")).rejected.empty());
  EXPECT_EQ(get(j, "obj").lease_owner, "w1");
  Transition t = Transition::of(get(j, "obj"), ObjectState::verified, "w1");
  t.update.md5 = md5(1);
  t.update.crc32c = 0xE3069283u;
  t.update.dest_etag = "\"d\"";
  const FlushReport rep = commit(t);
  EXPECT_EQ(rep.applied, 1u);
  EXPECT_TRUE(rep.rejected.empty());
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::verified);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(r.md5, md5(1));
  EXPECT_EQ(r.crc32c, 0xE3069283u);
  EXPECT_EQ(r.dest_etag, "\"d\"");
  EXPECT_TRUE(r.lease_owner.empty());  // resting states hold no lease
}

// The CRC-64/NVME recorded with `verified` (checksum_algorithm crc64nvme):
// all 64 bits survive (the high bit set: a signed column must not lose
// it), durably; a later update without one keeps it; reopen clears it with
// the other checksums of the bytes.
TEST_P(TransitionQueueConformance, Crc64NvmeIsRecordedWhole) {
  const JobId j = job();
  add(j, {"obj", "plain"});
  constexpr uint64_t kCrc = 0xAE8B14860A799888ull;
  for (const char* key : {"obj", "plain"}) {
    auto claimed = ledger_->claim(ClaimRequest{j, 1, "w1", std::chrono::minutes(1), {ObjectState::pending}});
    ASSERT_EQ(claimed->size(), 1u) << key;
    EXPECT_TRUE(commit(Transition::of(claimed->front(), ObjectState::copying, "w1")).rejected.empty());
    Transition t = Transition::of(get(j, claimed->front().key), ObjectState::verified, "w1");
    t.update.crc32c = 0xE3069283u;
    if (claimed->front().key == "obj") t.update.crc64nvme = kCrc;
    EXPECT_TRUE(commit(t).rejected.empty());
  }
  EXPECT_EQ(get(j, "obj").crc64nvme, kCrc);
  EXPECT_FALSE(get(j, "plain").crc64nvme.has_value());
  auto other = open_instance();
  auto seen = other->find_object(j, "obj");
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->crc64nvme, kCrc);
  auto listed = ledger_->list_objects(j, ListQuery{.limit = 10, .state = ObjectState::verified});
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->front().crc64nvme, kCrc);

  const ObjectRecord before = get(j, "obj");
  auto ids = ledger_->reopen_verified(
      j, std::vector{ReopenRequest{before.id, before.size, before.source_etag, before.updated_at, "verify: gone"}});
  ASSERT_TRUE(ids.has_value()) << ids.error().describe();
  EXPECT_FALSE(get(j, "obj").crc64nvme.has_value());
}

TEST_P(TransitionQueueConformance, IllegalTransitionsFailWhenQueued) {
  const JobId d = job(JobMode::direct, "d");
  const JobId s = job(JobMode::staged, "s");
  add(d, {"x"});
  add(s, {"y"});
  const ObjectRecord x = get(d, "x"), y = get(s, "y");
  for (const Transition& t : {Transition::of(x, ObjectState::uploading), Transition::of(x, ObjectState::staging),
                              Transition::of(x, ObjectState::pending), Transition::of(y, ObjectState::copying),
                              Transition::of(y, ObjectState::uploading)}) {
    auto q = ledger_->queue(t);
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, kLedgerIllegalTransition);
  }
  Transition back = Transition::of(x, ObjectState::pending);
  back.from = ObjectState::verified;  // verified never goes back by transition
  EXPECT_EQ(ledger_->queue(back).error().code, kLedgerIllegalTransition);
  EXPECT_EQ(ledger_->queued(), 0u);
}

TEST_P(TransitionQueueConformance, UnknownJobIsNotFound) {
  Transition t;
  t.job = JobId{987654};
  t.from = ObjectState::pending;
  t.to = ObjectState::copying;
  auto q = ledger_->queue(t);
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(q.error().code, kLedgerNotFound);
}

TEST_P(TransitionQueueConformance, VerifiedWithoutChecksumsIsRefused) {
  const JobId j = job();
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::copying));
  Transition t = Transition::of(get(j, "obj"), ObjectState::verified);
  t.update.dest_etag = "etag-only";
  const FlushReport rep = commit(t);
  ASSERT_EQ(rep.rejected.size(), 1u);
  EXPECT_EQ(rep.rejected[0].code, "MissingChecksums");
  EXPECT_EQ(get(j, "obj").state, ObjectState::copying);
  // A CRC-32C alone is enough (resumed multipart uploads cannot MD5 the whole).
  t.update.crc32c = 7;
  EXPECT_TRUE(commit(t).rejected.empty());
  EXPECT_EQ(get(j, "obj").state, ObjectState::verified);
}

TEST_P(TransitionQueueConformance, VerifiedByDestinationEtagEqualToSourceEtag) {
  const JobId j = job();
  add(j, {"copied"});  // listed with ETag "etag-1"
  commit(Transition::of(get(j, "copied"), ObjectState::copying));
  Transition other = Transition::of(get(j, "copied"), ObjectState::verified);
  other.update.dest_etag = "etag-2";  // a different ETag is no evidence
  ASSERT_EQ(commit(other).rejected.size(), 1u);
  Transition same = Transition::of(get(j, "copied"), ObjectState::verified);
  same.update.dest_etag = "etag-1";  // e.g. a server-side copy of the same bytes
  EXPECT_TRUE(commit(same).rejected.empty());
  EXPECT_EQ(get(j, "copied").state, ObjectState::verified);
  EXPECT_EQ(get(j, "copied").dest_etag, "etag-1");
}

// The planner's "found identical at the destination": pending straight to
// verified, in both modes, with the destination ETag as the evidence.
TEST_P(TransitionQueueConformance, PendingFoundIdenticalAtTheDestinationBecomesVerified) {
  for (JobMode mode : {JobMode::direct, JobMode::staged}) {
    const JobId j = job(mode, std::string(to_string(mode)));
    add(j, {"found"});  // listed with ETag "etag-1"
    Transition other = Transition::of(get(j, "found"), ObjectState::verified);
    other.update.dest_etag = "etag-2";
    ASSERT_EQ(commit(other).rejected.size(), 1u) << to_string(mode);
    EXPECT_EQ(get(j, "found").state, ObjectState::pending);
    Transition same = Transition::of(get(j, "found"), ObjectState::verified);
    same.update.dest_etag = "etag-1";
    EXPECT_TRUE(commit(same).rejected.empty()) << to_string(mode);
    EXPECT_EQ(get(j, "found").state, ObjectState::verified);
    EXPECT_EQ(get(j, "found").attempts, 0u) << "nothing was sent";
  }
}

TEST_P(TransitionQueueConformance, StaleTransitionIsRejectedOthersInBatchApply) {
  const JobId j = job();
  add(j, {"a", "b"});
  const ObjectRecord a = get(j, "a");
  ASSERT_TRUE(ledger_->queue(Transition::of(a, ObjectState::copying)).has_value());
  ASSERT_TRUE(ledger_->queue(Transition::of(a, ObjectState::copying)).has_value());  // from is stale by then
  ASSERT_TRUE(ledger_->queue(Transition::of(get(j, "b"), ObjectState::copying)).has_value());
  EXPECT_EQ(ledger_->queued(), 3u);
  auto rep = ledger_->flush();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->applied, 2u);
  ASSERT_EQ(rep->rejected.size(), 1u);
  EXPECT_EQ(rep->rejected[0].code, "StateChanged");
  EXPECT_EQ(rep->rejected[0].id, a.id);
  EXPECT_EQ(ledger_->queued(), 0u);
  EXPECT_EQ(get(j, "b").state, ObjectState::copying);
  EXPECT_EQ(get(j, "a").attempts, 1u);
}

TEST_P(TransitionQueueConformance, ChecksumThatDisagreesWithRecordedIsRefused) {
  const JobId j = job();
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::copying));
  Transition first = Transition::of(get(j, "obj"), ObjectState::copying);  // progress, no state change
  first.update.md5 = md5(1);
  EXPECT_TRUE(commit(first).rejected.empty());
  Transition t = Transition::of(get(j, "obj"), ObjectState::verified);
  t.update.md5 = md5(2);
  const FlushReport rep = commit(t);
  ASSERT_EQ(rep.rejected.size(), 1u);
  EXPECT_EQ(rep.rejected[0].code, "ChecksumMismatch");
  EXPECT_EQ(get(j, "obj").state, ObjectState::copying);
  EXPECT_EQ(get(j, "obj").md5, md5(1));
  EXPECT_EQ(get(j, "obj").attempts, 1u);  // staying in copying is not a new attempt
}

TEST_P(TransitionQueueConformance, StagedRelayLifecycleAndChecks) {
  const JobId j = job(JobMode::staged);
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::staging));
  // staged without a staged copy is refused
  EXPECT_EQ(commit(Transition::of(get(j, "obj"), ObjectState::staged)).rejected.at(0).code, "MissingStagedCopy");
  // a staged copy whose checksum differs from the source stream is refused
  Transition bad = Transition::of(get(j, "obj"), ObjectState::staged);
  bad.update.md5 = md5(1);
  bad.update.staged = StagedCopy{"vol-1", "/mnt/vol-1/obj", 100, md5(9), std::nullopt};
  EXPECT_EQ(commit(bad).rejected.at(0).code, "ChecksumMismatch");
  Transition good = Transition::of(get(j, "obj"), ObjectState::staged);
  good.update.md5 = md5(1);
  good.update.crc32c = 5;
  good.update.staged = StagedCopy{"vol-1", "/mnt/vol-1/obj", 100, md5(1), 5, R"([["Content-Type","text/x-a"]])"};
  EXPECT_TRUE(commit(good).rejected.empty());
  const ObjectRecord staged = get(j, "obj");
  ASSERT_TRUE(staged.staged.has_value());
  EXPECT_EQ(*staged.staged, *good.update.staged);
  commit(Transition::of(staged, ObjectState::uploading));
  Transition done = Transition::of(get(j, "obj"), ObjectState::verified);
  done.update.dest_etag = "e";
  EXPECT_TRUE(commit(done).rejected.empty());
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::verified);
  EXPECT_EQ(r.attempts, 1u);  // one pass: staging, and the upload that completes it
}

TEST_P(TransitionQueueConformance, CorruptStagedCopyGoesBackToPendingWithoutItsStagedCopy) {
  const JobId j = job(JobMode::staged);
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::staging));
  Transition st = Transition::of(get(j, "obj"), ObjectState::staged);
  st.update.crc32c = 7;
  st.update.staged = StagedCopy{"v", "/v/obj", 100, md5(3), 7};
  ASSERT_TRUE(commit(st).rejected.empty());
  commit(Transition::of(get(j, "obj"), ObjectState::uploading));
  Transition back = Transition::of(get(j, "obj"), ObjectState::pending);
  back.update.error = "StagedCorrupt: CRC-32C differs";
  ASSERT_TRUE(commit(back).rejected.empty());
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::pending);
  EXPECT_FALSE(r.staged.has_value());  // the copy no longer stands for the object (nor its metadata)
  EXPECT_EQ(r.crc32c, 7u);             // what the source stream hashed to still holds
  EXPECT_EQ(r.last_error, "StagedCorrupt: CRC-32C differs");
  // Staged again from the source: the new copy must agree with the source.
  commit(Transition::of(r, ObjectState::staging));
  Transition again = Transition::of(get(j, "obj"), ObjectState::staged);
  again.update.staged = StagedCopy{"v2", "/v2/obj", 100, md5(3), 8};
  EXPECT_EQ(commit(again).rejected.at(0).code, "ChecksumMismatch");
  again.update.staged->crc32c = 7;
  EXPECT_TRUE(commit(again).rejected.empty());
  EXPECT_EQ(get(j, "obj").staged->volume, "v2");
}

TEST_P(TransitionQueueConformance, FlushedWorkSurvivesReopenQueuedWorkIsNotVisibleBefore) {
  const JobId j = job();
  add(j, {"a", "b"});
  verify_direct(j, "a");
  ASSERT_TRUE(ledger_->queue(Transition::of(get(j, "b"), ObjectState::copying)).has_value());
  EXPECT_EQ(get(j, "b").state, ObjectState::pending);  // reads see committed state only
  ASSERT_TRUE(ledger_->flush().has_value());
  ledger_.reset();
  ledger_ = open_instance();
  EXPECT_EQ(get(j, "a").state, ObjectState::verified);
  EXPECT_EQ(get(j, "a").md5, md5(0xAB));
  EXPECT_EQ(get(j, "b").state, ObjectState::copying);
}

}  // namespace s5j::ledger::conformance
