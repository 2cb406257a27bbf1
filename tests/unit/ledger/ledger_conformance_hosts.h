// The Ledger conformance suite, the staged relay on several hosts: each
// staged copy names its host (StagedCopy::host), an upload claim can be
// limited to one host's copies (ClaimRequest::staged_host), and the copies
// of a host that is gone are sent back to be fetched again
// (unstage_absent_hosts).
#pragma once

#include <chrono>

#include "unit/ledger/ledger_conformance_claims.h"
#include "unit/ledger/ledger_conformance_totals.h"

namespace s5j::ledger::conformance {

class StagedHostsConformance : public LedgerConformance {
 protected:
  // Stages `key` of staged job `j` on `host` (empty: an unknown host).
  void stage_on(JobId j, const std::string& key, const std::string& host) {
    ASSERT_TRUE(commit(Transition::of(get(j, key), ObjectState::staging)).rejected.empty());
    Transition t = Transition::of(get(j, key), ObjectState::staged);
    t.update.staged = StagedCopy{"v", "/v/" + key, 100, std::nullopt, 7, "", host};
    ASSERT_TRUE(commit(t).rejected.empty());
  }
  std::set<std::string> keys_of(const std::vector<ObjectRecord>& records) {
    std::set<std::string> out;
    for (const auto& r : records) out.insert(r.key);
    return out;
  }
};

TEST_P(StagedHostsConformance, StagedCopyKeepsItsHostUntilFetchedAgain) {
  const JobId j = job(JobMode::staged);
  add(j, {"a", "b"});
  stage_on(j, "a", "host-1");
  stage_on(j, "b", "");
  ASSERT_TRUE(get(j, "a").staged.has_value());
  EXPECT_EQ(get(j, "a").staged->host, "host-1");
  EXPECT_EQ(open_instance()->find_object(j, "a")->value().staged->host, "host-1");
  EXPECT_EQ(get(j, "b").staged->host, "");
  // Found corrupt on upload, back to pending: the copy, its host with it,
  // no longer stands.
  ASSERT_TRUE(commit(Transition::of(get(j, "a"), ObjectState::uploading)).rejected.empty());
  Transition back = Transition::of(get(j, "a"), ObjectState::pending);
  back.update.error = "StagedCorrupt: CRC-32C differs";
  ASSERT_TRUE(commit(back).rejected.empty());
  EXPECT_FALSE(get(j, "a").staged.has_value());
  stage_on(j, "a", "host-2");
  EXPECT_EQ(get(j, "a").staged->host, "host-2");
}

TEST_P(StagedHostsConformance, UploadClaimsTakeOnlyThisHostsCopiesAndUnknownOnes) {
  const JobId j = job(JobMode::staged);
  add(j, {"mine", "theirs", "unknown", "pending"});
  stage_on(j, "mine", "host-1");
  stage_on(j, "theirs", "host-2");
  stage_on(j, "unknown", "");
  using std::chrono::minutes;
  ClaimRequest host1{j, 10, "drain-1", minutes(5), {ObjectState::staged}};
  host1.staged_host = "host-1";
  EXPECT_EQ(keys_of(*ledger_->claim(host1)), (std::set<std::string>{"mine", "unknown"}));
  ClaimRequest host2{j, 10, "drain-2", minutes(5), {ObjectState::staged}};
  host2.staged_host = "host-2";
  EXPECT_EQ(keys_of(*ledger_->claim(host2)), (std::set<std::string>{"theirs"}));
  // The filter is on staged copies only: fetching is anyone's.
  ClaimRequest stage{j, 10, "stage-2", minutes(5), {ObjectState::pending}};
  stage.staged_host = "host-2";
  EXPECT_EQ(keys_of(*ledger_->claim(stage)), (std::set<std::string>{"pending"}));
}

// A dead host's upload in flight is taken over by its own host only: after
// its lease expired, another host's claim does not see it.
TEST_P(StagedHostsConformance, ExpiredUploadOfAnotherHostIsNotTakenOver) {
  const JobId j = job(JobMode::staged);
  add(j, {"a"});
  stage_on(j, "a", "host-1");
  using std::chrono::minutes;
  ClaimRequest host1{j, 10, "drain-1", minutes(1), {ObjectState::staged}};
  host1.staged_host = "host-1";
  ASSERT_EQ(ledger_->claim(host1)->size(), 1u);
  ASSERT_TRUE(commit(Transition::of(get(j, "a"), ObjectState::uploading, "drain-1")).rejected.empty());
  clock_.advance(minutes(2));
  ClaimRequest host2{j, 10, "drain-2", minutes(1), {ObjectState::staged}};
  host2.staged_host = "host-2";
  EXPECT_TRUE(ledger_->claim(host2)->empty());
  host1.owner = "drain-1-restarted";
  EXPECT_EQ(ledger_->claim(host1)->size(), 1u);
}

TEST_P(StagedHostsConformance, AbsentHostsCopiesGoBackToPendingFencedAndCounted) {
  const JobId j = job(JobMode::staged);
  const JobId other = job(JobMode::staged, "other");
  add(j, {"alive", "gone-staged", "gone-uploading", "gone-failed", "unknown", "gone-verified"});
  add(other, {"gone-other-job"});
  for (const char* k : {"gone-staged", "gone-uploading", "gone-failed", "gone-verified"}) stage_on(j, k, "host-2");
  stage_on(j, "alive", "host-1");
  stage_on(other, "gone-other-job", "host-2");
  using std::chrono::minutes;
  ClaimRequest host2{j, 10, "drain-2", minutes(1), {ObjectState::staged}};
  host2.staged_host = "host-2";
  ASSERT_EQ(ledger_->claim(host2)->size(), 4u);
  stage_on(j, "unknown", "");
  ASSERT_TRUE(commit(Transition::of(get(j, "gone-uploading"), ObjectState::uploading, "drain-2")).rejected.empty());
  const Transition late_verified = [&] {
    Transition t = Transition::of(get(j, "gone-uploading"), ObjectState::verified, "drain-2");
    t.update.crc32c = 7;
    return t;
  }();
  for (const char* k : {"gone-failed", "gone-verified"}) {
    ASSERT_TRUE(commit(Transition::of(get(j, k), ObjectState::uploading, "drain-2")).rejected.empty());
  }
  Transition failed = Transition::of(get(j, "gone-failed"), ObjectState::failed, "drain-2");
  failed.update.error = "SlowDown";
  ASSERT_TRUE(commit(failed).rejected.empty());
  Transition verified = Transition::of(get(j, "gone-verified"), ObjectState::verified, "drain-2");
  verified.update.crc32c = 7;
  ASSERT_TRUE(commit(verified).rejected.empty());
  ASSERT_TRUE(ledger_->release(std::vector{get(j, "gone-staged").id}, "drain-2").has_value());

  const std::vector<std::string> present{"host-1"};
  // The upload in flight keeps its lease: host-2 may only be slow.
  auto moved = ledger_->unstage_absent_hosts(j, present);
  ASSERT_TRUE(moved.has_value()) << moved.error().describe();
  EXPECT_EQ(*moved, 2u);
  EXPECT_EQ(get(j, "gone-staged").state, ObjectState::pending);
  EXPECT_FALSE(get(j, "gone-staged").staged.has_value());
  EXPECT_EQ(get(j, "gone-failed").state, ObjectState::pending);
  EXPECT_EQ(get(j, "gone-uploading").state, ObjectState::uploading);
  clock_.advance(minutes(2));
  moved = ledger_->unstage_absent_hosts(j, present);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(*moved, 1u);
  EXPECT_EQ(get(j, "gone-uploading").state, ObjectState::pending);
  EXPECT_TRUE(get(j, "gone-uploading").lease_owner.empty());
  // What host-2 still had queued no longer applies.
  EXPECT_EQ(commit(late_verified).rejected.size(), 1u);
  EXPECT_EQ(get(j, "gone-uploading").state, ObjectState::pending);
  // Live hosts, unknown hosts, verified records and other jobs stay.
  EXPECT_EQ(get(j, "alive").state, ObjectState::staged);
  EXPECT_EQ(get(j, "unknown").state, ObjectState::staged);
  EXPECT_EQ(get(j, "gone-verified").state, ObjectState::verified);
  EXPECT_EQ(get(other, "gone-other-job").state, ObjectState::staged);
  EXPECT_EQ(*ledger_->totals_by_size_class(j), SizeClassTotalsCheck::group_records(JobMode::staged, all(j)));
  // Nothing present: every named host is absent.
  EXPECT_EQ(*ledger_->unstage_absent_hosts(j, {}), 1u);
  EXPECT_EQ(get(j, "alive").state, ObjectState::pending);
  EXPECT_EQ(*ledger_->unstage_absent_hosts(j, present), 0u);
}

}  // namespace s5j::ledger::conformance
