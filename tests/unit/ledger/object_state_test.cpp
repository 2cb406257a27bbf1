#include "ledger/object_state.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace s5j::ledger {
namespace {

using S = ObjectState;

TEST(ObjectState, NamesRoundTrip) {
  for (JobMode m : {JobMode::direct, JobMode::staged}) {
    EXPECT_EQ(parse_job_mode(to_string(m)), m);
    for (S s : states_of(m)) EXPECT_EQ(parse_object_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_object_state("done").has_value());
  EXPECT_FALSE(parse_job_mode("relay").has_value());
}

// release_all_leases() releases the leases in these states: one left out
// would keep its leases after a crash.
TEST(ObjectState, AllStatesHoldEveryStateOfEitherModeOnce) {
  const auto all = all_object_states();
  for (JobMode m : {JobMode::direct, JobMode::staged}) {
    for (S s : states_of(m)) EXPECT_EQ(std::count(all.begin(), all.end(), s), 1) << to_string(s);
  }
  for (S s : all) EXPECT_EQ(parse_object_state(to_string(s)), s);
  EXPECT_EQ(all.size(), 8u);  // pending copying staging staged uploading verified failed vanished
}

TEST(ObjectState, DirectHappyPathAndExits) {
  const auto m = JobMode::direct;
  EXPECT_TRUE(is_legal_transition(m, S::pending, S::copying));
  EXPECT_TRUE(is_legal_transition(m, S::copying, S::verified));
  for (S exit : {S::failed, S::vanished, S::pending}) EXPECT_TRUE(is_legal_transition(m, S::copying, exit));
  EXPECT_TRUE(is_legal_transition(m, S::failed, S::pending));
  EXPECT_TRUE(is_legal_transition(m, S::vanished, S::pending));
}

TEST(ObjectState, DirectRefusesShortcutsAndStagedStates) {
  const auto m = JobMode::direct;
  EXPECT_FALSE(is_legal_transition(m, S::verified, S::pending));  // only upsert reopens verified
  EXPECT_FALSE(is_legal_transition(m, S::verified, S::copying));
  EXPECT_FALSE(is_legal_transition(m, S::failed, S::verified));
  EXPECT_FALSE(is_legal_transition(m, S::pending, S::staging));
  EXPECT_FALSE(is_legal_transition(m, S::staged, S::uploading));
}

// The planner records an object it found identical at the destination
// (equal size and comparable ETag) as verified without moving it; in both
// modes, so that a relay after `reset` does not send it again.
TEST(ObjectState, BothModesRecordAnObjectFoundIdenticalAtTheDestination) {
  for (JobMode m : {JobMode::direct, JobMode::staged}) {
    EXPECT_TRUE(is_legal_transition(m, S::pending, S::verified));
    EXPECT_FALSE(is_legal_transition(m, S::failed, S::verified));
    EXPECT_FALSE(is_legal_transition(m, S::vanished, S::verified));
  }
}

TEST(ObjectState, StagedHappyPathAndRetries) {
  const auto m = JobMode::staged;
  const S path[] = {S::pending, S::staging, S::staged, S::uploading, S::verified};
  for (size_t i = 0; i + 1 < std::size(path); ++i) EXPECT_TRUE(is_legal_transition(m, path[i], path[i + 1]));
  EXPECT_TRUE(is_legal_transition(m, S::uploading, S::staged));
  EXPECT_TRUE(is_legal_transition(m, S::failed, S::staged));
  EXPECT_FALSE(is_legal_transition(m, S::staging, S::verified));
  EXPECT_FALSE(is_legal_transition(m, S::staged, S::verified));
  EXPECT_FALSE(is_legal_transition(m, S::pending, S::copying));
  EXPECT_FALSE(is_legal_transition(m, S::uploading, S::vanished));  // the staged copy is what we upload
}

TEST(ObjectState, CorruptOrMissingStagedCopyGoesBackToTheSource) {
  // The upload leg found the staged copy corrupt or gone: fetch it again.
  EXPECT_TRUE(is_legal_transition(JobMode::staged, S::uploading, S::pending));
  EXPECT_FALSE(is_legal_transition(JobMode::staged, S::staged, S::pending));  // claimed first, then judged
  EXPECT_FALSE(is_legal_transition(JobMode::direct, S::uploading, S::pending));
}

TEST(ObjectState, StayingPutIsOnlyForActiveStates) {
  for (JobMode m : {JobMode::direct, JobMode::staged}) {
    for (S s : states_of(m)) EXPECT_EQ(is_legal_transition(m, s, s), is_active(s)) << to_string(s);
  }
}

// From the last active state (the copy or upload done), or from pending
// when the planner found the object identical at the destination.
TEST(ObjectState, VerifiedIsReachedOnlyFromTheLastActiveStateOrPending) {
  for (JobMode m : {JobMode::direct, JobMode::staged}) {
    for (S s : states_of(m)) {
      const bool expected = s == S::pending || (m == JobMode::direct && s == S::copying) ||
                            (m == JobMode::staged && s == S::uploading);
      EXPECT_EQ(is_legal_transition(m, s, S::verified), expected) << to_string(s);
    }
  }
}

TEST(ObjectState, TakeoverStatesFollowTheClaimedRestingState) {
  ASSERT_EQ(takeover_states(JobMode::direct, S::pending).size(), 1u);
  EXPECT_EQ(takeover_states(JobMode::direct, S::pending)[0], S::copying);
  EXPECT_EQ(takeover_states(JobMode::staged, S::pending)[0], S::staging);
  EXPECT_EQ(takeover_states(JobMode::staged, S::staged)[0], S::uploading);
  EXPECT_TRUE(takeover_states(JobMode::direct, S::failed).empty());
}

}  // namespace
}  // namespace s5j::ledger
