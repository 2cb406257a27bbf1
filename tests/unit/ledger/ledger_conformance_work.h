// The Ledger conformance suite, part 2: claims and leases, multipart
// progress, run history and the job lock. Include after ledger_conformance.h.
#pragma once

#include <set>

#include "unit/ledger/ledger_conformance.h"

namespace s5j::ledger::conformance {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline std::vector<ObjectId> ids_of(const std::vector<ObjectRecord>& v) {
  std::vector<ObjectId> out;
  for (const auto& r : v) out.push_back(r.id);
  return out;
}

// ---- Claims and leases ----

TEST_P(LedgerConformance, ClaimHandsOutEachRecordOnce) {
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

TEST_P(LedgerConformance, ClaimNeedsAnOwnerAndRestingStates) {
  const JobId j = job();
  EXPECT_FALSE(ledger_->claim(ClaimRequest{j, 1, "", minutes(1), {ObjectState::pending}}).has_value());
  EXPECT_FALSE(ledger_->claim(ClaimRequest{j, 1, "w", minutes(1), {ObjectState::copying}}).has_value());
}

TEST_P(LedgerConformance, ExpiredLeaseIsClaimedAgain) {
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

TEST_P(LedgerConformance, DeadWorkersActiveRecordIsTakenOver) {
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

TEST_P(LedgerConformance, RenewExtendsOwnLeasesAndReportsLostOnes) {
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

TEST_P(LedgerConformance, ReleasedRecordsCanBeClaimedAtOnce) {
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

TEST_P(LedgerConformance, ReleaseAllLeasesLetsARestartResumeAtOnce) {
  const JobId j = job();
  add(j, {"a", "b"});
  auto mine = ledger_->claim(ClaimRequest{j, 2, "old-run", minutes(5), {ObjectState::pending}});
  commit(Transition::of(mine->front(), ObjectState::copying, "old-run"));
  EXPECT_EQ(*ledger_->release_all_leases(j), 2u);
  auto again = ledger_->claim(ClaimRequest{j, 5, "new-run", minutes(5), {ObjectState::pending}});
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ(again->front().state, ObjectState::copying);  // takeovers come first
}

TEST_P(LedgerConformance, StagedJobClaimsEachPhaseSeparately) {
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

TEST_P(LedgerConformance, TwoInstancesOnOneStoreClaimDisjointWork) {
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

// ---- Multipart progress ----

TEST_P(LedgerConformance, MultipartProgressIsKeptForResume) {
  const JobId j = job();
  add(j, {"big"}, 20 << 20);
  commit(Transition::of(get(j, "big"), ObjectState::copying));
  const ObjectId id = get(j, "big").id;
  EXPECT_FALSE(ledger_->active_upload(id)->has_value());
  auto up = ledger_->begin_upload(UploadStart{id, "upload-xyz", 8 << 20, 3});
  ASSERT_TRUE(up.has_value());
  const PartRecord p1{1, 0, 8 << 20, "\"e1\"", md5(1), 11};
  const PartRecord p2{2, 8 << 20, 8 << 20, "\"e2\"", std::nullopt, 22};
  ASSERT_TRUE(ledger_->queue_part(*up, p2).has_value());
  ASSERT_TRUE(ledger_->queue_part(*up, p1).has_value());
  ASSERT_TRUE(ledger_->flush().has_value());
  ledger_.reset();
  ledger_ = open_instance();

  auto progress = ledger_->active_upload(id);
  ASSERT_TRUE(progress.has_value() && progress->has_value());
  EXPECT_EQ((*progress)->upload.upload_id, "upload-xyz");
  EXPECT_EQ((*progress)->upload.part_size, uint64_t{8 << 20});
  EXPECT_EQ((*progress)->upload.part_count, 3u);
  EXPECT_EQ((*progress)->upload.key, "big");
  EXPECT_EQ((*progress)->parts, (std::vector<PartRecord>{p1, p2}));
  EXPECT_EQ(ledger_->open_uploads(std::nullopt)->size(), 1u);

  // A part sent twice (retry) keeps the last record.
  PartRecord p2b = p2;
  p2b.etag = "\"e2b\"";
  ASSERT_TRUE(ledger_->queue_part(*up, p2b).has_value());
  ASSERT_TRUE(ledger_->queue_part(*up, PartRecord{3, 16 << 20, 4 << 20, "\"e3\"", std::nullopt, 33}).has_value());
  // Completion commits together with verified.
  ASSERT_TRUE(ledger_->queue_upload_end(*up, UploadStatus::completed).has_value());
  Transition done = Transition::of(get(j, "big"), ObjectState::verified);
  done.update.crc32c = 0xC0FFEE;
  ASSERT_TRUE(ledger_->queue(done).has_value());
  auto rep = ledger_->flush();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->applied, 4u);
  EXPECT_TRUE(rep->rejected.empty());
  EXPECT_TRUE(ledger_->open_uploads(j)->empty());
  EXPECT_FALSE(ledger_->active_upload(id)->has_value());
  EXPECT_EQ(get(j, "big").state, ObjectState::verified);
}

TEST_P(LedgerConformance, PartNumbersOutsideS3RangeAreRefused) {
  EXPECT_FALSE(ledger_->queue_part(UploadRef{1}, PartRecord{0, 0, 1, "e", std::nullopt, std::nullopt}).has_value());
  EXPECT_FALSE(ledger_->queue_part(UploadRef{1}, PartRecord{10'001, 0, 1, "e", std::nullopt, std::nullopt}));
  EXPECT_FALSE(ledger_->queue_upload_end(UploadRef{1}, UploadStatus::active).has_value());
}

TEST_P(LedgerConformance, ChangedObjectAbandonsItsUploadUntilAborted) {
  const JobId j = job();
  add(j, {"big"});
  commit(Transition::of(get(j, "big"), ObjectState::copying));
  auto up = ledger_->begin_upload(UploadStart{get(j, "big").id, "u-1", 5 << 20, 2});
  ASSERT_TRUE(up.has_value());
  ASSERT_TRUE(ledger_->upsert_listed(j, std::vector{listed("big", 999)}).has_value());
  EXPECT_FALSE(ledger_->active_upload(get(j, "big").id)->has_value());
  auto open = ledger_->open_uploads(j);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().status, UploadStatus::abandoned);
  // Parts arriving for it now are refused; aborting it closes it.
  ASSERT_TRUE(ledger_->queue_part(*up, PartRecord{1, 0, 5 << 20, "e", std::nullopt, std::nullopt}).has_value());
  ASSERT_TRUE(ledger_->queue_upload_end(*up, UploadStatus::aborted).has_value());
  auto rep = ledger_->flush();
  ASSERT_EQ(rep->rejected.size(), 1u);
  EXPECT_EQ(rep->rejected[0].code, "UploadClosed");
  EXPECT_EQ(rep->rejected[0].upload, *up);
  EXPECT_TRUE(ledger_->open_uploads(j)->empty());
}

TEST_P(LedgerConformance, NewUploadSupersedesTheOldOne) {
  const JobId j = job();
  add(j, {"big"});
  const ObjectId id = get(j, "big").id;
  auto first = ledger_->begin_upload(UploadStart{id, "u-1", 5 << 20, 2});
  auto second = ledger_->begin_upload(UploadStart{id, "u-2", 5 << 20, 2});
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*ledger_->active_upload(id))->upload.upload_id, "u-2");
  auto open = ledger_->open_uploads(std::nullopt);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ(open->at(0).status, UploadStatus::abandoned);
  EXPECT_EQ(open->at(1).status, UploadStatus::active);
  EXPECT_EQ(ledger_->begin_upload(UploadStart{ObjectId{424242}, "u", 1, 1}).error().code, kLedgerNotFound);
}

// ---- Runs and the job lock ----

TEST_P(LedgerConformance, RunHistoryNewestFirst) {
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

TEST_P(LedgerConformance, JobLockNamesItsHolderUntilReleasedOrExpired) {
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

TEST_P(LedgerConformance, BreakingTheJobLockFreesIt) {
  const JobId j = job();
  ASSERT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"dead", 1, "h", minutes(60)})->acquired);
  ASSERT_TRUE(ledger_->break_job_lock(j).has_value());
  EXPECT_TRUE(ledger_->acquire_job_lock(j, LockRequest{"alive", 2, "h", minutes(1)})->acquired);
}

TEST_P(LedgerConformance, LockRolesLetStageAndDrainRunSideBySide) {
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
TEST_P(LedgerConformance, RunActivityIsPublishedOnTheHoldersLocks) {
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

TEST_P(LedgerConformance, LeasesAreReleasedPerState) {
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

}  // namespace s5j::ledger::conformance
