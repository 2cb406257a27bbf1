// The Ledger conformance suite, ObjectClaims part (ledger/object_claims.h):
// claims, takeovers of expired leases, renewal and release, and the part's
// method written once (release_all_leases).
#pragma once

#include <set>

#include "unit/ledger/ledger_conformance.h"

namespace s5j::ledger::conformance {

class ObjectClaimsConformance : public LedgerConformance {};

TEST_P(ObjectClaimsConformance, ClaimHandsOutEachRecordOnce) {
  const JobId j = job();
  add(j, {"a", "b", "c", "d", "e"});
  auto first = ledger_->claim(ClaimRequest{j, 3, "w1", minutes(1), {ObjectState::pending}});
  auto second = ledger_->claim(ClaimRequest{j, 3, "w2", minutes(1), {ObjectState::pending}});
  auto third = ledger_->claim(ClaimRequest{j, 3, "w3", minutes(1), {ObjectState::pending}});
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->size(), 3u);
  EXPECT_EQ(second->size(), 2u);
  EXPECT_TRUE(third->empty());
  std::set<std::string> keys;
  for (const auto& r : *first) {
    EXPECT_EQ(r.lease_owner, "w1");
    ASSERT_TRUE(r.lease_expires.has_value());
    EXPECT_EQ(*r.lease_expires, clock_.now() + minutes(1));
    keys.insert(r.key);
  }
  for (const auto& r : *second) keys.insert(r.key);
  EXPECT_EQ(keys.size(), 5u);
}

TEST_P(ObjectClaimsConformance, ClaimNeedsAnOwnerAndRestingStates) {
  const JobId j = job();
  EXPECT_FALSE(ledger_->claim(ClaimRequest{j, 1, "", minutes(1), {ObjectState::pending}}).has_value());
  EXPECT_FALSE(ledger_->claim(ClaimRequest{j, 1, "w", minutes(1), {ObjectState::copying}}).has_value());
}

TEST_P(ObjectClaimsConformance, ExpiredLeaseIsClaimedAgain) {
  const JobId j = job();
  add(j, {"a"});
  ASSERT_EQ(ledger_->claim(ClaimRequest{j, 1, "w1", seconds(30), {ObjectState::pending}})->size(), 1u);
  clock_.advance(seconds(29));
  EXPECT_TRUE(ledger_->claim(ClaimRequest{j, 1, "w2", seconds(30), {ObjectState::pending}})->empty());
  clock_.advance(seconds(1));
  auto again = ledger_->claim(ClaimRequest{j, 1, "w2", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().lease_owner, "w2");
}

TEST_P(ObjectClaimsConformance, DeadWorkersActiveRecordIsTakenOver) {
  const JobId j = job();
  add(j, {"a"});
  auto mine = ledger_->claim(ClaimRequest{j, 1, "w1", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_TRUE(commit(Transition::of(mine->front(), ObjectState::copying, "w1")).rejected.empty());
  EXPECT_TRUE(ledger_->claim(ClaimRequest{j, 1, "w2", seconds(30), {ObjectState::pending}})->empty());
  clock_.advance(seconds(31));  // w1 stopped renewing
  auto taken = ledger_->claim(ClaimRequest{j, 1, "w2", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ(taken->front().state, ObjectState::copying);
  EXPECT_EQ(taken->front().lease_owner, "w2");
  // w1 comes back: its late transition must not apply.
  Transition late = Transition::of(get(j, "a"), ObjectState::verified, "w1");
  late.update.crc32c = 1;
  const FlushReport rep = commit(late);
  ASSERT_EQ(rep.rejected.size(), 1u);
  EXPECT_EQ(rep.rejected[0].code, "LeaseLost");
  EXPECT_EQ(get(j, "a").state, ObjectState::copying);
  // w2 finishes it.
  Transition done = Transition::of(get(j, "a"), ObjectState::verified, "w2");
  done.update.crc32c = 1;
  EXPECT_TRUE(commit(done).rejected.empty());
}

TEST_P(ObjectClaimsConformance, RenewExtendsOwnLeasesAndReportsLostOnes) {
  const JobId j = job();
  add(j, {"a", "b"});
  auto mine = ledger_->claim(ClaimRequest{j, 2, "w1", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(mine->size(), 2u);
  clock_.advance(seconds(20));
  auto lost = ledger_->renew(ids_of(*mine), "w1", seconds(30));
  ASSERT_TRUE(lost.has_value());
  EXPECT_TRUE(lost->empty());
  clock_.advance(seconds(20));  // 40 s after the claim, 20 s after the renewal
  EXPECT_TRUE(ledger_->claim(ClaimRequest{j, 2, "w2", seconds(30), {ObjectState::pending}})->empty());
  clock_.advance(seconds(11));
  auto stolen = ledger_->claim(ClaimRequest{j, 1, "w2", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(stolen->size(), 1u);
  lost = ledger_->renew(ids_of(*mine), "w1", seconds(30));
  ASSERT_EQ(lost->size(), 1u);
  EXPECT_EQ(lost->front(), stolen->front().id);
}

TEST_P(ObjectClaimsConformance, ReleasedRecordsCanBeClaimedAtOnce) {
  const JobId j = job();
  add(j, {"a", "b"});
  auto mine = ledger_->claim(ClaimRequest{j, 2, "w1", minutes(5), {ObjectState::pending}});
  ASSERT_EQ(mine->size(), 2u);
  // Someone else's release does nothing.
  ASSERT_TRUE(ledger_->release(ids_of(*mine), "w2").has_value());
  EXPECT_TRUE(ledger_->claim(ClaimRequest{j, 2, "w2", minutes(5), {ObjectState::pending}})->empty());
  ASSERT_TRUE(ledger_->release(ids_of(*mine), "w1").has_value());
  EXPECT_EQ(ledger_->claim(ClaimRequest{j, 2, "w2", minutes(5), {ObjectState::pending}})->size(), 2u);
  EXPECT_EQ(get(j, "a").state, ObjectState::pending);
}

TEST_P(ObjectClaimsConformance, StagedJobClaimsEachPhaseSeparately) {
  const JobId j = job(JobMode::staged);
  add(j, {"a", "b"});
  commit(Transition::of(get(j, "a"), ObjectState::staging));
  Transition t = Transition::of(get(j, "a"), ObjectState::staged);
  t.update.staged = StagedCopy{"v", "/v/a", 100, std::nullopt, 9};
  commit(t);
  auto uploads = ledger_->claim(ClaimRequest{j, 5, "site-b", minutes(1), {ObjectState::staged}});
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ(uploads->front().key, "a");
  auto stages = ledger_->claim(ClaimRequest{j, 5, "site-a", minutes(1), {ObjectState::pending}});
  ASSERT_EQ(stages->size(), 1u);
  EXPECT_EQ(stages->front().key, "b");
}

TEST_P(ObjectClaimsConformance, TwoInstancesOnOneStoreClaimDisjointWork) {
  const JobId j = job();
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) keys.push_back("k" + std::to_string(i));
  add(j, keys);
  auto other = open_instance();
  ASSERT_NE(other, nullptr);
  std::set<int64_t> seen;
  size_t total = 0;
  for (int round = 0; round < 20; ++round) {
    for (Ledger* l : {ledger_.get(), other.get()}) {
      auto got = l->claim(ClaimRequest{j, 4, l == ledger_.get() ? "one" : "two", minutes(5), {ObjectState::pending}});
      ASSERT_TRUE(got.has_value());
      for (const auto& r : *got) seen.insert(r.id.value);
      total += got->size();
    }
  }
  EXPECT_EQ(total, 50u);
  EXPECT_EQ(seen.size(), 50u);
}

TEST_P(ObjectClaimsConformance, LeasesAreReleasedPerState) {
  const JobId j = job(JobMode::staged);
  add(j, {"a", "b", "c"});
  commit(Transition::of(get(j, "a"), ObjectState::staging));
  Transition st = Transition::of(get(j, "a"), ObjectState::staged);
  st.update.staged = StagedCopy{"v", "/v/a", 100, std::nullopt, 1};
  commit(st);
  ClaimRequest stage_claim{j, 10, "stager", minutes(5), {ObjectState::pending}};
  ClaimRequest drain_claim{j, 10, "drainer", minutes(5), {ObjectState::staged}};
  ASSERT_EQ(ledger_->claim(stage_claim)->size(), 2u);
  ASSERT_EQ(ledger_->claim(drain_claim)->size(), 1u);
  // A restarted stage run frees what the dead stager held, not the drain's.
  const std::vector<ObjectState> stage_states{ObjectState::pending, ObjectState::staging};
  EXPECT_EQ(*ledger_->release_leases_in(j, stage_states), 2u);
  EXPECT_EQ(ledger_->claim(stage_claim)->size(), 2u);
  EXPECT_TRUE(ledger_->claim(drain_claim)->empty());
  EXPECT_EQ(get(j, "a").lease_owner, "drainer");
}

TEST_P(ObjectClaimsConformance, ReleaseAllLeasesLetsARestartResumeAtOnce) {
  const JobId j = job();
  add(j, {"a", "b"});
  auto mine = ledger_->claim(ClaimRequest{j, 2, "old-run", minutes(5), {ObjectState::pending}});
  commit(Transition::of(mine->front(), ObjectState::copying, "old-run"));
  EXPECT_EQ(*ledger_->release_all_leases(j), 2u);
  auto again = ledger_->claim(ClaimRequest{j, 5, "new-run", minutes(5), {ObjectState::pending}});
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ(again->front().state, ObjectState::copying);  // takeovers come first
}

// release_all_leases() is written on the part with release_leases_in():
// leases in every state go, resting (pending, staged) and active (staging,
// uploading), and other jobs' leases stay.
TEST_P(ObjectClaimsConformance, ReleaseAllLeasesReleasesEveryStateOfTheJobOnly) {
  const JobId j = job(JobMode::staged);
  const JobId other = job(JobMode::direct, "other");
  add(j, {"a", "b", "c", "d"});
  add(other, {"x"});
  for (const char* key : {"c", "d"}) {
    commit(Transition::of(get(j, key), ObjectState::staging));
    Transition st = Transition::of(get(j, key), ObjectState::staged);
    st.update.staged = StagedCopy{"v", std::string("/v/") + key, 100, std::nullopt, 1};
    commit(st);
  }
  ASSERT_EQ(ledger_->claim(ClaimRequest{j, 10, "stager", minutes(5), {ObjectState::pending}})->size(), 2u);
  commit(Transition::of(get(j, "b"), ObjectState::staging, "stager"));
  ASSERT_EQ(ledger_->claim(ClaimRequest{j, 10, "drainer", minutes(5), {ObjectState::staged}})->size(), 2u);
  commit(Transition::of(get(j, "d"), ObjectState::uploading, "drainer"));
  ASSERT_EQ(ledger_->claim(ClaimRequest{other, 10, "copier", minutes(5), {ObjectState::pending}})->size(), 1u);

  auto released = ledger_->release_all_leases(j);
  ASSERT_TRUE(released.has_value()) << released.error().describe();
  EXPECT_EQ(*released, 4u);  // a pending, b staging, c staged, d uploading
  EXPECT_EQ(ledger_->claim(ClaimRequest{j, 10, "stager-2", minutes(5), {ObjectState::pending}})->size(), 2u);
  EXPECT_EQ(ledger_->claim(ClaimRequest{j, 10, "drainer-2", minutes(5), {ObjectState::staged}})->size(), 2u);
  EXPECT_EQ(get(other, "x").lease_owner, "copier");
  EXPECT_EQ(*ledger_->release_all_leases(j), 4u);  // the new owners' leases
  EXPECT_EQ(*ledger_->release_all_leases(j), 0u);
}

// ---- Fencing (ObjectRecord::lease_epoch, Transition::epoch) ----

TEST_P(ObjectClaimsConformance, EveryClaimMovesTheFencingEpoch) {
  const JobId j = job();
  add(j, {"a"});
  EXPECT_EQ(get(j, "a").lease_epoch, 0u);
  auto first = ledger_->claim(ClaimRequest{j, 1, "w1", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(first->size(), 1u);
  EXPECT_GT(first->front().lease_epoch, 0u);
  EXPECT_EQ(get(j, "a").lease_epoch, first->front().lease_epoch);
  // Renewal keeps the epoch; a transition does too.
  ASSERT_TRUE(ledger_->renew(ids_of(*first), "w1", seconds(30))->empty());
  EXPECT_TRUE(commit(Transition::of(first->front(), ObjectState::copying, "w1")).rejected.empty());
  EXPECT_EQ(get(j, "a").lease_epoch, first->front().lease_epoch);
  // A release and a new claim (here a takeover of the active record) move it.
  ASSERT_TRUE(ledger_->release(ids_of(*first), "w1").has_value());
  auto second = ledger_->claim(ClaimRequest{j, 1, "w2", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(second->size(), 1u);
  EXPECT_GT(second->front().lease_epoch, first->front().lease_epoch);
}

// A worker whose lease expired and was taken over can never write over its
// successor, even when the successor carries the same owner name (the same
// process claiming again after a pause, or a reused name).
TEST_P(ObjectClaimsConformance, StaleEpochIsRejectedEvenUnderTheSameOwnerName) {
  const JobId j = job();
  add(j, {"a"});
  auto a = ledger_->claim(ClaimRequest{j, 1, "worker", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(a->size(), 1u);
  EXPECT_TRUE(commit(Transition::of(a->front(), ObjectState::copying, "worker")).rejected.empty());
  const ObjectRecord a_copying = get(j, "a");
  clock_.advance(seconds(31));  // A paused past its lease
  auto b = ledger_->claim(ClaimRequest{j, 1, "worker", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ(b->front().state, ObjectState::copying);
  EXPECT_NE(b->front().lease_epoch, a_copying.lease_epoch);
  // A wakes up and commits with the record as it claimed it.
  Transition late = Transition::of(a_copying, ObjectState::verified, "worker");
  late.update.crc32c = 7;
  const FlushReport rejected = commit(late);
  ASSERT_EQ(rejected.rejected.size(), 1u);
  EXPECT_EQ(rejected.rejected[0].code, kLeaseLost);
  EXPECT_EQ(rejected.applied, 0u);
  EXPECT_EQ(get(j, "a").state, ObjectState::copying);
  EXPECT_FALSE(get(j, "a").crc32c.has_value());
  // B's transition, with the epoch of its claim, applies.
  Transition done = Transition::of(b->front(), ObjectState::verified, "worker");
  done.update.crc32c = 8;
  const FlushReport applied = commit(done);
  EXPECT_TRUE(applied.rejected.empty());
  EXPECT_EQ(get(j, "a").state, ObjectState::verified);
  EXPECT_EQ(get(j, "a").crc32c, std::optional<uint32_t>(8));
}

TEST_P(ObjectClaimsConformance, StaleEpochOfAnotherOwnerIsRejectedAndTheSuccessorsApplies) {
  const JobId j = job(JobMode::staged);
  add(j, {"a"});
  auto a = ledger_->claim(ClaimRequest{j, 1, "A", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(a->size(), 1u);
  clock_.advance(seconds(31));
  auto b = ledger_->claim(ClaimRequest{j, 1, "B", seconds(30), {ObjectState::pending}});
  ASSERT_EQ(b->size(), 1u);
  // Both queue in one batch: A's (stale) first, then B's.
  ASSERT_TRUE(ledger_->queue(Transition::of(a->front(), ObjectState::staging, "A")).has_value());
  ASSERT_TRUE(ledger_->queue(Transition::of(b->front(), ObjectState::staging, "B")).has_value());
  auto report = ledger_->flush();
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->applied, 1u);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].code, kLeaseLost);
  EXPECT_EQ(get(j, "a").state, ObjectState::staging);
  EXPECT_EQ(get(j, "a").lease_owner, "B");
  EXPECT_EQ(get(j, "a").attempts, 1u);
}

}  // namespace s5j::ledger::conformance
