// The Ledger conformance suite, JobControl part (ledger/job_control.h):
// jobs, run history, the job lock and the activity published on it, and
// the part's methods written once (job_lock_holder, break_every_job_lock).
#pragma once

#include "unit/ledger/ledger_conformance.h"

namespace s5j::ledger::conformance {

class JobControlConformance : public LedgerConformance {};

// ---- Jobs ----

TEST_P(JobControlConformance, OpenJobCreatesOnceAndFindsIt) {
  const JobId a = job(JobMode::direct, "alpha");
  EXPECT_EQ(job(JobMode::direct, "alpha"), a);
  const JobId b = job(JobMode::staged, "beta");
  EXPECT_NE(a, b);
  auto found = ledger_->find_job("beta");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->mode, JobMode::staged);
  EXPECT_FALSE(ledger_->find_job("gamma")->has_value());
}

TEST_P(JobControlConformance, OpenJobWithAnotherModeIsAConflict) {
  job(JobMode::direct, "alpha");
  auto again = ledger_->open_job("alpha", JobMode::staged);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, kLedgerConflict);
}

TEST_P(JobControlConformance, ResetForgetsObjectsButKeepsOpenUploads) {
  const JobId j = job();
  const JobId other = job(JobMode::direct, "other");
  add(j, {"a", "b"});
  add(other, {"a"});
  commit(Transition::of(get(j, "a"), ObjectState::copying));
  auto up = ledger_->begin_upload(UploadStart{get(j, "a").id, "upload-1", 8 << 20, 3});
  ASSERT_TRUE(up.has_value());
  ASSERT_TRUE(ledger_->reset_job(j).has_value());
  EXPECT_TRUE(all(j).empty());
  EXPECT_EQ(all(other).size(), 1u);
  auto open = ledger_->open_uploads(j);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().upload_id, "upload-1");
  EXPECT_EQ(open->front().key, "a");
  EXPECT_EQ(open->front().status, UploadStatus::abandoned);
  EXPECT_FALSE(open->front().object.has_value());
  // The job itself remains and can be planned again.
  add(j, {"a"});
  EXPECT_EQ(get(j, "a").state, ObjectState::pending);
}

// ---- Runs and the job lock ----

TEST_P(JobControlConformance, RunHistoryNewestFirst) {
  const JobId j = job();
  auto r1 = ledger_->begin_run(j, RunStart{101, "host-a", "run", "0.1.0"});
  clock_.advance(seconds(5));
  ASSERT_TRUE(ledger_->end_run(*r1, "completed", 0).has_value());
  auto r2 = ledger_->begin_run(j, RunStart{202, "host-a", "run", "0.1.0"});
  ASSERT_TRUE(r1 && r2);
  auto runs = ledger_->runs(j, 10);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ(runs->at(0).id, *r2);
  EXPECT_EQ(runs->at(0).start.pid, 202);
  EXPECT_FALSE(runs->at(0).ended_at.has_value());
  EXPECT_EQ(runs->at(1).outcome, "completed");
  EXPECT_EQ(runs->at(1).exit_code, 0);
  EXPECT_EQ(*runs->at(1).ended_at - runs->at(1).started_at, seconds(5));
  EXPECT_EQ(ledger_->end_run(RunId{999}, "x", 1).error().code, kLedgerNotFound);
}

TEST_P(JobControlConformance, JobLockNamesItsHolderUntilReleasedOrExpired) {
  const JobId j = job();
  const LockRequest a{"host-a:100:1", 100, "host-a", minutes(2)};
  const LockRequest b{"host-b:200:1", 200, "host-b", minutes(2)};
  auto got = ledger_->acquire_job_lock(j, a);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->acquired);
  auto refused = ledger_->acquire_job_lock(j, b);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->acquired);
  EXPECT_EQ(refused->holder.pid, 100);
  EXPECT_EQ(refused->holder.host, "host-a");
  // The holder renews; acquired_at stays.
  clock_.advance(minutes(1));
  auto renewed = ledger_->acquire_job_lock(j, a);
  EXPECT_TRUE(renewed->acquired);
  EXPECT_EQ(renewed->holder.acquired_at, got->holder.acquired_at);
  EXPECT_EQ(renewed->holder.expires_at, clock_.now() + minutes(2));
  // Expired: the next process takes it.
  clock_.advance(minutes(2));
  EXPECT_TRUE(ledger_->acquire_job_lock(j, b)->acquired);
  ASSERT_TRUE(ledger_->release_job_lock(j, a.owner).has_value());  // not a's any more: no-op
  EXPECT_EQ((*ledger_->job_lock_holder(j))->pid, 200);
  ASSERT_TRUE(ledger_->release_job_lock(j, b.owner).has_value());
  EXPECT_FALSE(ledger_->job_lock_holder(j)->has_value());
}

TEST_P(JobControlConformance, BreakingTheJobLockFreesIt) {
  const JobId j = job();
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"dead", 1, "h", minutes(60)})->acquired);
  ASSERT_TRUE(ledger_->break_every_job_lock(j).has_value());
  EXPECT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"alive", 2, "h", minutes(1)})->acquired);
}

TEST_P(JobControlConformance, LockRolesLetStageAndDrainRunSideBySide) {
  const JobId j = job(JobMode::staged);
  const LockRequest stage{"host-a:1:1", 1, "host-a", minutes(2), {"stage"}};
  const LockRequest stage2{"host-a:2:1", 2, "host-a", minutes(2), {"stage"}};
  const LockRequest drain{"host-b:3:1", 3, "host-b", minutes(2), {"drain"}};
  const LockRequest relay{"host-c:4:1", 4, "host-c", minutes(2), {"stage", "drain"}};
  const LockRequest whole{"host-d:5:1", 5, "host-d", minutes(2)};
  ASSERT_TRUE(ledger_->acquire_job_lock(j, stage)->acquired);
  // A second stage run is refused and told who stages.
  auto refused = ledger_->acquire_job_lock(j, stage2);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->acquired);
  EXPECT_EQ(refused->holder.pid, 1);
  EXPECT_EQ(refused->holder.role, "stage");
  // A drain run does not conflict with a stage run.
  EXPECT_TRUE(ledger_->acquire_job_lock(j, drain)->acquired);
  // A relay needs both roles; a whole-job run (sync, reset) needs all.
  EXPECT_FALSE(ledger_->acquire_job_lock(j, relay)->acquired);
  EXPECT_FALSE(ledger_->acquire_job_lock(j, whole)->acquired);
  auto holders = ledger_->job_lock_holders(j);
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 2u);
  EXPECT_EQ(holders->at(0).role, "drain");
  EXPECT_EQ(holders->at(1).role, "stage");
  // The stage holder died: breaking its lock leaves the drain's alone.
  ASSERT_TRUE(ledger_->break_job_lock(j, stage.owner).has_value());
  EXPECT_TRUE(ledger_->acquire_job_lock(j, stage2)->acquired);
  EXPECT_FALSE(ledger_->acquire_job_lock(j, relay)->acquired);
  ASSERT_TRUE(ledger_->release_job_lock(j, stage2.owner).has_value());
  ASSERT_TRUE(ledger_->release_job_lock(j, drain.owner).has_value());
  auto got = ledger_->acquire_job_lock(j, relay);
  ASSERT_TRUE(got->acquired);
  EXPECT_EQ(ledger_->job_lock_holders(j)->size(), 2u);  // one entry per role
  EXPECT_FALSE(ledger_->acquire_job_lock(j, stage)->acquired);
  EXPECT_FALSE(ledger_->acquire_job_lock(j, drain)->acquired);
  // The relay renews both roles; acquired_at stays.
  clock_.advance(minutes(1));
  auto renewed = ledger_->acquire_job_lock(j, relay);
  EXPECT_TRUE(renewed->acquired);
  EXPECT_EQ(renewed->holder.acquired_at, got->holder.acquired_at);
  // Expired role locks are taken over; release drops every role.
  clock_.advance(minutes(3));
  EXPECT_TRUE(ledger_->acquire_job_lock(j, drain)->acquired);
  EXPECT_FALSE(ledger_->acquire_job_lock(j, whole)->acquired);
  ASSERT_TRUE(ledger_->release_job_lock(j, drain.owner).has_value());
  ASSERT_TRUE(ledger_->release_job_lock(j, relay.owner).has_value());
  EXPECT_TRUE(ledger_->job_lock_holders(j)->empty());
  EXPECT_TRUE(ledger_->acquire_job_lock(j, whole)->acquired);
  EXPECT_FALSE(ledger_->acquire_job_lock(j, stage)->acquired);
  EXPECT_EQ(ledger_->job_lock_holder(j)->value().role, "");
}

// A run publishes what it does on its lock rows (every role it holds), for
// `s5j status` in another process; renewing keeps it, a new holder of the
// role starts without one.
TEST_P(JobControlConformance, RunActivityIsPublishedOnTheHoldersLocks) {
  const JobId j = job(JobMode::staged);
  const LockRequest relay{"host-a:1:1", 1, "host-a", minutes(2), {"stage", "drain"}};
  const LockRequest drain{"host-b:2:1", 2, "host-b", minutes(2), {"drain"}};
  ASSERT_TRUE(ledger_->acquire_job_lock(j, relay)->acquired);
  // (Results kept in locals: a range-for over *temporary would dangle.)
  const auto fresh = ledger_->job_lock_holders(j);
  ASSERT_TRUE(fresh.has_value());
  for (const auto& h : *fresh) EXPECT_FALSE(h.activity.has_value()) << h.role;

  const RunActivity waiting{"waiting_for_space", clock_.now(), 5000, std::nullopt};
  auto set = ledger_->set_run_activity(j, relay.owner, waiting);
  ASSERT_TRUE(set.has_value()) << set.error().describe();
  EXPECT_TRUE(*set);
  auto holders = ledger_->job_lock_holders(j);
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 2u);
  for (const auto& h : *holders) {
    ASSERT_TRUE(h.activity.has_value()) << h.role;
    EXPECT_EQ(*h.activity, waiting) << h.role;
  }

  // A refused side: why, and when it is probed again.
  RunActivity refused{"destination_refused", clock_.now()};
  refused.detail = "InvalidAccessKeyId: the access key is not known";
  refused.retry_at = clock_.now() + seconds(30);
  ASSERT_TRUE(*ledger_->set_run_activity(j, relay.owner, refused));
  EXPECT_EQ(ledger_->job_lock_holder(j)->value().activity, std::optional<RunActivity>(refused));

  // Replaced, optional fields cleared; kept when the lock is renewed.
  clock_.advance(seconds(3));
  const RunActivity scanning{"scanning", clock_.now(), std::nullopt, clock_.now() + seconds(30)};
  ASSERT_TRUE(*ledger_->set_run_activity(j, relay.owner, scanning));
  clock_.advance(minutes(1));
  ASSERT_TRUE(ledger_->acquire_job_lock(j, relay)->acquired);
  EXPECT_EQ(ledger_->job_lock_holder(j)->value().activity, std::optional<RunActivity>(scanning));

  // Someone without a lock writes nothing; names are required.
  EXPECT_FALSE(*ledger_->set_run_activity(j, drain.owner, waiting));
  EXPECT_FALSE(ledger_->set_run_activity(j, relay.owner, RunActivity{}).has_value());

  // The relay's lock expired and a drain run took that role: it has no
  // activity until it publishes one; the relay's other row keeps its own.
  clock_.advance(minutes(3));
  ASSERT_TRUE(ledger_->acquire_job_lock(j, drain)->acquired);
  const auto taken = ledger_->job_lock_holders(j);
  ASSERT_TRUE(taken.has_value());
  for (const auto& h : *taken) {
    if (h.role == "drain") {
      EXPECT_FALSE(h.activity.has_value());
    } else {
      EXPECT_EQ(h.activity, std::optional<RunActivity>(scanning)) << h.role;
    }
  }
  const RunActivity idle{"idle", clock_.now(), std::nullopt, std::nullopt};
  ASSERT_TRUE(*ledger_->set_run_activity(j, drain.owner, idle));
  const auto published = ledger_->job_lock_holders(j);
  ASSERT_TRUE(published.has_value());
  for (const auto& h : *published) {
    ASSERT_TRUE(h.activity.has_value()) << h.role;
    EXPECT_EQ(h.activity->name, h.role == "drain" ? "idle" : "scanning");
  }
}

// A run publishes its figures (opaque text) on every lock row it holds, at
// each heartbeat; renewing keeps them and moves renewed_at, a new holder
// of a role starts without any.
TEST_P(JobControlConformance, RunFiguresArePublishedOnTheHoldersLocksAndKeptAcrossRenewals) {
  const JobId j = job(JobMode::staged);
  const LockRequest relay{"host-a:1:1", 1, "host-a", minutes(2), {"stage", "drain"}};
  const LockRequest drain{"host-b:2:1", 2, "host-b", minutes(2), {"drain"}};
  const TimePoint taken_at = clock_.now();
  auto acquired = ledger_->acquire_job_lock(j, relay);
  ASSERT_TRUE(acquired.has_value() && acquired->acquired);
  EXPECT_EQ(acquired->holder.renewed_at, taken_at);
  EXPECT_TRUE(acquired->holder.figures.empty());
  const auto fresh = ledger_->job_lock_holders(j);
  ASSERT_TRUE(fresh.has_value());
  ASSERT_EQ(fresh->size(), 2u);
  for (const auto& h : *fresh) {
    EXPECT_TRUE(h.figures.empty()) << h.role;
    EXPECT_EQ(h.renewed_at, taken_at) << h.role;
  }

  const std::string figures = R"({"pace":[1.5,2.0],"leases":12})";
  auto set = ledger_->set_run_figures(j, relay.owner, figures);
  ASSERT_TRUE(set.has_value()) << set.error().describe();
  EXPECT_TRUE(*set);
  // Durable: another instance on the store reads them.
  auto other = open_instance();
  const auto seen = other->job_lock_holders(j);
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->size(), 2u);
  for (const auto& h : *seen) EXPECT_EQ(h.figures, figures) << h.role;

  // Replaced by the next ones; kept by a renewal, which moves renewed_at
  // (and leaves acquired_at).
  const std::string next = R"({"pace":[1.7,2.1],"leases":9})";
  ASSERT_TRUE(*ledger_->set_run_figures(j, relay.owner, next));
  clock_.advance(seconds(40));
  auto renewed = ledger_->acquire_job_lock(j, relay);
  ASSERT_TRUE(renewed.has_value() && renewed->acquired);
  EXPECT_EQ(renewed->holder.renewed_at, taken_at + seconds(40));
  EXPECT_EQ(renewed->holder.figures, next);
  const auto after_renewal = ledger_->job_lock_holders(j);
  ASSERT_TRUE(after_renewal.has_value());
  for (const auto& h : *after_renewal) {
    EXPECT_EQ(h.figures, next) << h.role;
    EXPECT_EQ(h.renewed_at, taken_at + seconds(40)) << h.role;
    EXPECT_EQ(h.acquired_at, taken_at) << h.role;
  }

  // Someone without a lock writes nothing; too long a text is refused and
  // leaves what was there.
  EXPECT_FALSE(*ledger_->set_run_figures(j, drain.owner, figures));
  auto too_long = ledger_->set_run_figures(j, relay.owner, std::string(kMaxRunFigures + 1, 'x'));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, kLedgerIllegalTransition);
  EXPECT_EQ(too_long.error().kind, ErrorKind::permanent);
  EXPECT_TRUE(*ledger_->set_run_figures(j, relay.owner, std::string(kMaxRunFigures, 'y')));
  ASSERT_TRUE(*ledger_->set_run_figures(j, relay.owner, next));

  // The relay stopped renewing and a drain run took that role: it starts
  // without figures; the relay's other row keeps its own; a refused
  // acquisition names the holder with its figures and heartbeat.
  clock_.advance(minutes(3));
  const TimePoint drain_at = clock_.now();
  ASSERT_TRUE(ledger_->acquire_job_lock(j, drain)->acquired);
  const auto taken = ledger_->job_lock_holders(j);
  ASSERT_TRUE(taken.has_value());
  ASSERT_EQ(taken->size(), 2u);
  for (const auto& h : *taken) {
    if (h.role == "drain") {
      EXPECT_EQ(h.owner, drain.owner);
      EXPECT_TRUE(h.figures.empty());
      EXPECT_EQ(h.renewed_at, drain_at);
    } else {
      EXPECT_EQ(h.figures, next) << h.role;
    }
  }
  ASSERT_TRUE(*ledger_->set_run_figures(j, drain.owner, "drain figures"));
  const LockRequest second_drain{"host-c:3:1", 3, "host-c", minutes(2), {"drain"}};
  auto refused = ledger_->acquire_job_lock(j, second_drain);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->acquired);
  EXPECT_EQ(refused->holder.owner, drain.owner);
  EXPECT_EQ(refused->holder.figures, "drain figures");
  EXPECT_EQ(refused->holder.renewed_at, drain_at);
}

// ---- Written once on the part ----

// job_lock_holder() is the first of job_lock_holders(): the whole-job lock
// when there is one, else the first role bytewise.
TEST_P(JobControlConformance, JobLockHolderIsTheFirstHolder) {
  const JobId j = job(JobMode::staged);
  EXPECT_FALSE(ledger_->job_lock_holder(j)->has_value());
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"stager", 1, "h", minutes(2), {"stage"}})->acquired);
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"drainer", 2, "h", minutes(2), {"drain"}})->acquired);
  auto holder = ledger_->job_lock_holder(j);
  ASSERT_TRUE(holder.has_value() && holder->has_value());
  EXPECT_EQ((*holder)->owner, "drainer");
  EXPECT_EQ((*holder)->role, "drain");
  EXPECT_EQ((*holder)->pid, 2);
  ASSERT_TRUE(ledger_->release_job_lock(j, "drainer").has_value());
  EXPECT_EQ(ledger_->job_lock_holder(j)->value().owner, "stager");
}

// Every holder's locks go, whatever roles each holds; other jobs' locks
// stay.
TEST_P(JobControlConformance, BreakingEveryJobLockRemovesEveryHoldersRoles) {
  const JobId j = job(JobMode::staged);
  const JobId other = job(JobMode::staged, "other");
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"relay", 1, "h", minutes(60), {"stage", "drain"}})->acquired);
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"checker", 2, "h", minutes(60), {"check"}})->acquired);
  ASSERT_TRUE(ledger_->acquire_job_lock(other, LockRequest{"elsewhere", 3, "h", minutes(60)})->acquired);
  ASSERT_EQ(ledger_->job_lock_holders(j)->size(), 3u);
  ASSERT_TRUE(ledger_->break_every_job_lock(j).has_value());
  EXPECT_TRUE(ledger_->job_lock_holders(j)->empty());
  EXPECT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"alive", 4, "h", minutes(1)})->acquired);
  EXPECT_EQ(ledger_->job_lock_holder(other)->value().owner, "elsewhere");
  // Nothing to break is no error.
  const JobId idle = job(JobMode::direct, "idle");
  EXPECT_TRUE(ledger_->break_every_job_lock(idle).has_value());
}

// ---- Shared locks (LockRequest::shared) ----

namespace {
LockRequest shared_lock(std::string owner, int64_t pid, std::vector<std::string> roles = {}) {
  LockRequest r{std::move(owner), pid, "host-" + std::to_string(pid), minutes(2), std::move(roles)};
  r.shared = true;
  return r;
}
}  // namespace

TEST_P(JobControlConformance, SharedWholeJobLocksCoexist) {
  const JobId j = job();
  auto a = ledger_->acquire_job_lock(j, shared_lock("a", 1));
  auto b = ledger_->acquire_job_lock(j, shared_lock("b", 2));
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_TRUE(a->acquired);
  EXPECT_TRUE(b->acquired);
  EXPECT_TRUE(b->holder.shared);
  auto holders = ledger_->job_lock_holders(j);
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 2u);
  for (const auto& h : *holders) {
    EXPECT_TRUE(h.shared) << h.owner;
    EXPECT_EQ(h.role, "");
  }
  // Shared holders of different roles, and a shared role holder beside a
  // shared whole-job holder, coexist too.
  EXPECT_TRUE(ledger_->acquire_job_lock(j, shared_lock("c", 3, {"stage"}))->acquired);
  // Renewing a shared lock keeps it.
  clock_.advance(minutes(1));
  EXPECT_TRUE(ledger_->acquire_job_lock(j, shared_lock("a", 1))->acquired);
  EXPECT_EQ(ledger_->job_lock_holders(j)->size(), 3u);
}

TEST_P(JobControlConformance, ExclusiveLockIsRefusedWhileASharedHolderLives) {
  const JobId j = job(JobMode::staged);
  ASSERT_TRUE(ledger_->acquire_job_lock(j, shared_lock("worker", 7))->acquired);
  const LockRequest reset{"reset", 9, "host-r", minutes(2)};
  auto refused = ledger_->acquire_job_lock(j, reset);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->acquired);
  EXPECT_EQ(refused->holder.owner, "worker");
  EXPECT_EQ(refused->holder.pid, 7);
  EXPECT_TRUE(refused->holder.shared);
  // An exclusive role lock conflicts with a shared whole-job lock as well.
  EXPECT_FALSE(ledger_->acquire_job_lock(j, LockRequest{"stager", 8, "h", minutes(2), {"stage"}})->acquired);
  EXPECT_EQ(ledger_->job_lock_holders(j)->size(), 1u);
}

TEST_P(JobControlConformance, SharedLockIsRefusedWhileAnExclusiveHolderLives) {
  const JobId j = job(JobMode::staged);
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"stager", 1, "h", minutes(2), {"stage"}})->acquired);
  // Overlapping roles conflict as two exclusive locks would.
  auto whole = ledger_->acquire_job_lock(j, shared_lock("w", 2));
  ASSERT_TRUE(whole.has_value());
  EXPECT_FALSE(whole->acquired);
  EXPECT_EQ(whole->holder.owner, "stager");
  EXPECT_FALSE(ledger_->acquire_job_lock(j, shared_lock("s", 3, {"stage"}))->acquired);
  // A role the exclusive holder does not hold is free.
  EXPECT_TRUE(ledger_->acquire_job_lock(j, shared_lock("d", 4, {"drain"}))->acquired);
}

TEST_P(JobControlConformance, ExpiredSharedHoldersDoNotBlock) {
  const JobId j = job();
  ASSERT_TRUE(ledger_->acquire_job_lock(j, shared_lock("old-a", 1))->acquired);
  ASSERT_TRUE(ledger_->acquire_job_lock(j, shared_lock("old-b", 2))->acquired);
  clock_.advance(minutes(3));
  auto got = ledger_->acquire_job_lock(j, LockRequest{"reset", 9, "h", minutes(2)});
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->acquired);
  EXPECT_FALSE(got->holder.shared);
  auto holders = ledger_->job_lock_holders(j);
  ASSERT_EQ(holders->size(), 1u);
  EXPECT_EQ(holders->front().owner, "reset");
}

TEST_P(JobControlConformance, ReleasingOrBreakingOneSharedHolderLeavesTheOthers) {
  const JobId j = job();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(ledger_->acquire_job_lock(j, shared_lock("w" + std::to_string(i), i))->acquired);
  }
  ASSERT_TRUE(ledger_->release_job_lock(j, "w1").has_value());
  ASSERT_TRUE(ledger_->break_job_lock(j, "w2").has_value());
  auto holders = ledger_->job_lock_holders(j);
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 1u);
  EXPECT_EQ(holders->front().owner, "w3");
  EXPECT_FALSE(ledger_->acquire_job_lock(j, LockRequest{"reset", 9, "h", minutes(2)})->acquired);
  ASSERT_TRUE(ledger_->release_job_lock(j, "w3").has_value());
  EXPECT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"reset", 9, "h", minutes(2)})->acquired);
}

TEST_P(JobControlConformance, CooperativeIsAsTheBackendSays) {
  EXPECT_EQ(ledger_->cooperative(), GetParam().cooperative);
}

}  // namespace s5j::ledger::conformance
