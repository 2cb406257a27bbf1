// The Ledger conformance suite, TransitionQueue part, continued: what
// `attempts` counts.
#pragma once

#include "unit/ledger/ledger_conformance_transitions.h"

namespace s5j::ledger::conformance {

// An object that went through once counts one attempt in either mode; a
// retry, from the source or of the upload from the same staged copy, one
// more.
TEST_P(TransitionQueueConformance, AttemptsCountPassesNotLegs) {
  const JobId d = job(JobMode::direct, "direct");
  add(d, {"once"});
  verify_direct(d, "once");
  EXPECT_EQ(get(d, "once").attempts, 1u);

  const JobId j = job(JobMode::staged, "relay");
  add(j, {"s"});
  const auto stage = [&] {
    commit(Transition::of(get(j, "s"), ObjectState::staging));
    Transition st = Transition::of(get(j, "s"), ObjectState::staged);
    st.update.staged = StagedCopy{"v", "/v/s", 100, std::nullopt, 42};
    ASSERT_TRUE(commit(st).rejected.empty());
  };
  stage();
  commit(Transition::of(get(j, "s"), ObjectState::uploading));
  EXPECT_EQ(get(j, "s").attempts, 1u);  // the upload completes the pass the staging began
  Transition failed = Transition::of(get(j, "s"), ObjectState::failed);
  failed.update.error = "SlowDown: try again";
  commit(failed);
  EXPECT_EQ(get(j, "s").attempts, 1u);
  ASSERT_EQ(*ledger_->requeue_failed(j), 1u);  // the upload is tried again from the same copy
  EXPECT_EQ(get(j, "s").attempts, 2u);
  commit(Transition::of(get(j, "s"), ObjectState::uploading));
  EXPECT_EQ(get(j, "s").attempts, 2u);
  // A corrupt copy: fetched from the source again, a new pass.
  Transition back = Transition::of(get(j, "s"), ObjectState::pending);
  back.update.error = "StagedCorrupt: CRC-32C differs";
  commit(back);
  EXPECT_EQ(get(j, "s").attempts, 2u);
  stage();
  EXPECT_EQ(get(j, "s").attempts, 3u);
  commit(Transition::of(get(j, "s"), ObjectState::uploading));
  Transition done = Transition::of(get(j, "s"), ObjectState::verified);
  done.update.crc32c = 42;
  ASSERT_TRUE(commit(done).rejected.empty());
  EXPECT_EQ(get(j, "s").attempts, 3u);
}

}  // namespace s5j::ledger::conformance
