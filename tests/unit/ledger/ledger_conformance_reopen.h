// The Ledger conformance suite, ObjectCatalog part, continued:
// reopen_verified (s5j verify puts verified objects whose destination copy
// is missing or different back in line).
#pragma once

#include "unit/ledger/ledger_conformance_catalog.h"

namespace s5j::ledger::conformance {

inline ReopenRequest reopen_request(const ObjectRecord& r, std::string reason = "verify: missing at the destination") {
  return ReopenRequest{r.id, r.size, r.source_etag, r.updated_at, std::move(reason)};
}

TEST_P(ObjectCatalogConformance, ReopenPutsVerifiedBackToPendingWithoutItsEvidence) {
  const JobId j = job();
  add(j, {"gone", "kept"});
  verify_direct(j, "gone");
  verify_direct(j, "kept");
  clock_.advance(std::chrono::seconds(1));
  const ObjectRecord before = get(j, "gone");
  auto ids = ledger_->reopen_verified(j, std::vector{reopen_request(before)});
  ASSERT_TRUE(ids.has_value()) << ids.error().describe();
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ(ids->front(), before.id);

  const ObjectRecord r = get(j, "gone");
  EXPECT_EQ(r.state, ObjectState::pending);
  EXPECT_FALSE(r.md5.has_value());
  EXPECT_FALSE(r.crc32c.has_value());
  EXPECT_TRUE(r.dest_etag.empty());
  EXPECT_EQ(r.last_error, "verify: missing at the destination");
  EXPECT_EQ(r.error_at, clock_.now());
  EXPECT_EQ(r.attempts, before.attempts);  // history is kept
  EXPECT_EQ(r.source_etag, before.source_etag);
  EXPECT_EQ(r.size, before.size);
  EXPECT_EQ(get(j, "kept").state, ObjectState::verified);

  // Durable, and back in line: a worker claims it and verifies it anew with
  // checksums that need not agree with the ones cleared.
  auto other = open_instance();
  auto seen = other->find_object(j, "gone");
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->state, ObjectState::pending);
  auto claimed = ledger_->claim(ClaimRequest{.job = j, .max = 10, .owner = "w1"});
  ASSERT_TRUE(claimed.has_value());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().key, "gone");
  EXPECT_TRUE(commit(Transition::of(claimed->front(), ObjectState::copying, "w1")).rejected.empty());
  Transition t = Transition::of(get(j, "gone"), ObjectState::verified, "w1");
  t.update.md5 = md5(0x11);
  t.update.dest_etag = "new-dest-etag";
  EXPECT_TRUE(commit(t).rejected.empty());
  EXPECT_EQ(get(j, "gone").state, ObjectState::verified);
}

TEST_P(ObjectCatalogConformance, ReopenIsACompareAndSetOnTheRecordAsRead) {
  const JobId j = job();
  const JobId other_job = job(JobMode::direct, "other");
  add(j, {"relisted", "recopied", "pending", "fine"});
  add(other_job, {"fine"});
  for (const char* k : {"relisted", "recopied", "fine"}) verify_direct(j, k);
  verify_direct(other_job, "fine");
  const ObjectRecord relisted = get(j, "relisted");
  const ObjectRecord recopied = get(j, "recopied");
  const ObjectRecord pending = get(j, "pending");
  const ObjectRecord fine_other = get(other_job, "fine");

  // A concurrent sync saw "relisted" change at the source: pending again.
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(ledger_->upsert_listed(j, std::vector{listed("relisted", 100, "etag-2")}).has_value());
  // ... and "recopied" changed, then came back and was copied again: verified
  // with the same size and ETag, but not the record verify looked at.
  ASSERT_TRUE(ledger_->upsert_listed(j, std::vector{listed("recopied", 100, "etag-2")}).has_value());
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(ledger_->upsert_listed(j, std::vector{listed("recopied", 100, "etag-1")}).has_value());
  verify_direct(j, "recopied");
  ASSERT_EQ(get(j, "recopied").source_etag, recopied.source_etag);

  const std::vector<ReopenRequest> requests{
      reopen_request(relisted),
      reopen_request(recopied),
      reopen_request(pending),                                                     // never verified
      reopen_request(fine_other),                                                  // another job's record
      ReopenRequest{ObjectId{987654}, 100, "etag-1", relisted.updated_at, "x"},  // unknown id
  };
  auto ids = ledger_->reopen_verified(j, requests);
  ASSERT_TRUE(ids.has_value()) << ids.error().describe();
  EXPECT_TRUE(ids->empty());
  EXPECT_EQ(get(j, "relisted").state, ObjectState::pending);
  EXPECT_TRUE(get(j, "relisted").last_error.empty());
  EXPECT_EQ(get(j, "recopied").state, ObjectState::verified);
  EXPECT_EQ(get(j, "pending").state, ObjectState::pending);
  EXPECT_TRUE(get(j, "pending").last_error.empty());
  EXPECT_EQ(get(other_job, "fine").state, ObjectState::verified);
  EXPECT_EQ(get(j, "fine").state, ObjectState::verified);

  // Once applied, the same request no longer matches: reopening is not repeated.
  const ObjectRecord fine = get(j, "fine");
  EXPECT_EQ(ledger_->reopen_verified(j, std::vector{reopen_request(fine)})->size(), 1u);
  EXPECT_TRUE(ledger_->reopen_verified(j, std::vector{reopen_request(fine)})->empty());
  EXPECT_TRUE(ledger_->reopen_verified(j, std::vector<ReopenRequest>{})->empty());
}

TEST_P(ObjectCatalogConformance, ReopenOfAStagedJobForgetsTheStagedCopy) {
  const JobId j = job(JobMode::staged);
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::staging));
  Transition staged = Transition::of(get(j, "obj"), ObjectState::staged);
  staged.update.md5 = md5(1);
  staged.update.staged = StagedCopy{"vol-1", "/mnt/vol-1/obj", 100, md5(1), std::nullopt};
  ASSERT_TRUE(commit(staged).rejected.empty());
  commit(Transition::of(get(j, "obj"), ObjectState::uploading));
  Transition done = Transition::of(get(j, "obj"), ObjectState::verified);
  done.update.dest_etag = "e";
  ASSERT_TRUE(commit(done).rejected.empty());

  auto ids = ledger_->reopen_verified(j, std::vector{reopen_request(get(j, "obj"), "verify: different")});
  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(ids->size(), 1u);
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::pending);  // fetched from the source again
  EXPECT_FALSE(r.staged.has_value());
  EXPECT_FALSE(r.md5.has_value());
  EXPECT_EQ(r.last_error, "verify: different");
}

}  // namespace s5j::ledger::conformance
