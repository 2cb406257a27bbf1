// The run machinery shared by sync and relay, over a real SQLite ledger:
// GroupCommit acts only on what a commit made durable, ClaimDispatcher
// hands each record to exactly one worker and gives back what it never
// started, JobRun's role locks exclude what they must and break a dead
// holder's lock.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "support/eventually.h"
#include "support/test_env.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/group_commit.h"
#include "transfer/job_run.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;

class RunMachinery : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("run-machinery");
    auto l = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    ASSERT_TRUE(l.has_value());
    ledger_ = std::move(*l);
    events_ = log::EventLog::null();
  }
  ledger::JobId job_with(size_t objects, ledger::JobMode mode = ledger::JobMode::direct) {
    auto j = ledger_->open_job("job", mode);
    EXPECT_TRUE(j.has_value());
    std::vector<ledger::ListedObject> listed;
    for (size_t i = 0; i < objects; ++i) listed.push_back({"k" + std::to_string(1000 + i), 10, "e", std::nullopt});
    EXPECT_TRUE(ledger_->upsert_listed(j->id, listed).has_value());
    return j->id;
  }
  // What a worker does with a record it copied: copying -> verified, then
  // lets go of it.
  static void finish_copied(ClaimDispatcher& d, const ledger::ObjectRecord& r) {
    ledger::Transition t = ledger::Transition::of(r, ObjectState::copying, "me");
    d.queue_or_fail(t);
    t.from = ObjectState::copying;
    t.to = ObjectState::verified;
    t.update.crc32c = 7;
    d.queue_or_fail(t);
    d.unhold(r.id);
    d.finished();
  }
  std::map<ObjectState, uint64_t> totals(ledger::JobId j) {
    std::map<ObjectState, uint64_t> out;
    auto t = ledger_->totals(j);
    if (t)
      for (const auto& x : *t) out[x.state] = x.objects;
    return out;
  }

  std::string dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<log::EventLog> events_;
};

TEST_F(RunMachinery, ActionsRunOnlyForCommittedTransitions) {
  const auto j = job_with(2);
  auto a = *ledger_->find_object(j, "k1000");
  auto b = *ledger_->find_object(j, "k1001");
  GroupCommit committer(*ledger_, *events_);
  std::vector<std::string> ran;
  ASSERT_TRUE(ledger_->queue(ledger::Transition::of(*a, ObjectState::copying)).has_value());
  committer.when_durable(a->id, [&] { ran.push_back("a"); });
  // b is not in `pending` any more when the flush comes: rejected.
  ledger::Transition stale = ledger::Transition::of(*b, ObjectState::copying);
  stale.from = ObjectState::copying;
  stale.to = ObjectState::verified;
  stale.update.crc32c = 1;
  ASSERT_TRUE(ledger_->queue(stale).has_value());
  committer.when_durable(b->id, [&] { ran.push_back("b"); });
  EXPECT_TRUE(ran.empty());  // nothing before the commit
  auto flushed = committer.commit();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(flushed->rejected.size(), 1u);
  EXPECT_EQ(ran, std::vector<std::string>{"a"});
  EXPECT_EQ((*ledger_->find_object(j, "k1000"))->state, ObjectState::copying);
}

TEST_F(RunMachinery, EveryRecordGoesToExactlyOneWorkerAndIdleDecidesTheEnd) {
  const auto j = job_with(300);
  GroupCommit committer(*ledger_, *events_);
  ClaimDispatcher d({j, "me", {ObjectState::pending}, 16, std::chrono::minutes(5)}, *ledger_, committer, *events_);
  // The first time the queue runs dry, more work appears (as a scan would
  // list new objects); the second time the run is done.
  int idles = 0;
  d.set_on_idle([&] {
    if (++idles == 1) {
      std::vector<ledger::ListedObject> more{{"late", 10, "e", std::nullopt}};
      EXPECT_TRUE(ledger_->upsert_listed(j, more).has_value());
      return ClaimDispatcher::Idle::claim_again;
    }
    return ClaimDispatcher::Idle::done;
  });
  std::mutex mutex;
  std::multiset<std::string> seen;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w)
    workers.emplace_back([&] {
      while (auto r = d.next()) {
        {
          std::lock_guard lock(mutex);
          seen.insert(r->key);
        }
        finish_copied(d, *r);
      }
    });
  for (auto& w : workers) w.join();
  ASSERT_TRUE(committer.commit().has_value());
  EXPECT_EQ(idles, 2);
  EXPECT_EQ(seen.size(), 301u);
  for (const auto& k : seen) EXPECT_EQ(seen.count(k), 1u) << k;
  EXPECT_EQ(totals(j)[ObjectState::verified], 301u);
  EXPECT_FALSE(d.fatal().has_value());
}

// A worker whose claim finds nothing waits while another is busy, and is
// woken when that one finishes: it may have put its record back.
TEST_F(RunMachinery, AWorkerWaitingOnABusyOneGetsTheRecordItPutsBack) {
  const auto j = job_with(1);
  GroupCommit committer(*ledger_, *events_);
  ClaimDispatcher d({j, "me", {ObjectState::pending}, 16, std::chrono::minutes(5)}, *ledger_, committer, *events_);
  auto first = d.next();
  ASSERT_TRUE(first.has_value());
  std::optional<ledger::ObjectRecord> second;
  std::thread waiter([&] {
    second = d.next();  // claims nothing (the record is leased): waits on the busy worker
    if (second) {
      d.unhold(second->id);
      d.finished();
    }
    EXPECT_FALSE(d.next().has_value());  // nothing left, nobody busy: done
  });
  // On failure, go on: the waiter must still end.
  EXPECT_TRUE(testing::eventually([&] { return d.waiting_on_busy() == 1; }));
  d.hand_back(first->id);
  d.finished();
  waiter.join();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->key, first->key);
}

// Wake-ups are counted out (one claimer per wake(), one waiter per claimed
// record): new work announced while every worker waits must still reach as
// many workers at once as there are records. Each worker holds its record
// until all four are held, so a waiter left asleep fails the test.
TEST_F(RunMachinery, AWakeWithNewWorkReachesAsManyWaitingWorkersAsThereAreRecords) {
  const auto j = job_with(1);
  GroupCommit committer(*ledger_, *events_);
  ClaimDispatcher d({j, "me", {ObjectState::pending}, 16, std::chrono::minutes(5)}, *ledger_, committer, *events_);
  auto first = d.next();  // busy: the others find nothing and wait on it
  ASSERT_TRUE(first.has_value());
  constexpr int kWorkers = 4;
  std::atomic<int> held{0};
  std::atomic<bool> all_held{true};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&] {
      while (auto r = d.next()) {
        ++held;
        if (!testing::eventually([&] { return held.load() == kWorkers; })) all_held = false;
        finish_copied(d, *r);
      }
    });
  const bool all_waiting = testing::eventually([&] { return d.waiting_on_busy() == kWorkers; });
  std::vector<ledger::ListedObject> more;
  for (int i = 0; i < kWorkers; ++i) more.push_back({"new" + std::to_string(i), 10, "e", std::nullopt});
  // On failure, go on (no ASSERT while the workers run): they must still end
  // once the first record is done.
  EXPECT_TRUE(ledger_->upsert_listed(j, more).has_value());
  d.wake();
  EXPECT_TRUE(testing::eventually([&] { return held.load() == kWorkers; }));
  finish_copied(d, *first);
  for (auto& w : workers) w.join();
  EXPECT_TRUE(all_waiting);
  EXPECT_TRUE(all_held.load());
  ASSERT_TRUE(committer.commit().has_value());
  EXPECT_EQ(totals(j)[ObjectState::verified], 5u);
}

TEST_F(RunMachinery, StopEndsTheWorkersAndUnstartedClaimsAreGivenBack) {
  const auto j = job_with(50);
  GroupCommit committer(*ledger_, *events_);
  ClaimDispatcher d({j, "me", {ObjectState::pending}, 50, std::chrono::minutes(5)}, *ledger_, committer, *events_);
  std::atomic<int> stops{0};
  d.set_on_stop([&] { ++stops; });
  auto first = d.next();  // claims all 50, hands out one
  ASSERT_TRUE(first.has_value());
  d.request_stop();
  d.request_stop();  // idempotent
  EXPECT_EQ(stops.load(), 1);
  EXPECT_FALSE(d.next().has_value());
  d.hand_back(first->id);
  d.finished();
  d.release_unstarted();
  // Nothing is left leased to us: another run may claim all 50 at once.
  ledger::ClaimRequest other{j, 100, "other", std::chrono::minutes(1), {ObjectState::pending}};
  auto claimed = ledger_->claim(other);
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->size(), 50u);
}

TEST_F(RunMachinery, RoleLocksExcludeWhatTheyMustAndDeadHoldersAreBroken) {
  job_with(1, ledger::JobMode::staged);
  JobRunSettings stage{"job", ledger::JobMode::staged, "stage", {"stage"}};
  JobRunSettings drain{"job", ledger::JobMode::staged, "drain", {"drain"}};
  JobRunSettings relay{"job", ledger::JobMode::staged, "relay", {"stage", "drain"}};
  JobRun a(stage, *ledger_, *events_);
  ASSERT_TRUE(a.begin().has_value());
  JobRun b(drain, *ledger_, *events_);
  EXPECT_TRUE(b.begin().has_value());  // side by side
  JobRun c(stage, *ledger_, *events_);
  auto refused = c.begin();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "AlreadyRunning");
  EXPECT_NE(refused.error().message.find("already has a stage run as pid " + std::to_string(::getpid())),
            std::string::npos)
      << refused.error().message;
  JobRun d(relay, *ledger_, *events_);
  EXPECT_EQ(d.begin().error().code, "AlreadyRunning");
  a.finish("complete", 0);
  b.finish("complete", 0);
  // A stage lock left by a process that died on this host is broken.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ASSERT_TRUE(ledger_->acquire_job_lock(a.job(), {"dead", child, local_host_name(), std::chrono::minutes(5), {"stage"}})
                  ->acquired);
  JobRun e(relay, *ledger_, *events_);
  EXPECT_TRUE(e.begin().has_value());
  auto holders = ledger_->job_lock_holders(e.job());
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 2u);
  for (const auto& h : *holders) EXPECT_EQ(h.owner, e.owner());
  e.finish("complete", 0);
  EXPECT_TRUE(ledger_->job_lock_holders(e.job())->empty());
  auto runs = ledger_->runs(e.job(), 10);
  ASSERT_TRUE(runs.has_value());
  EXPECT_EQ(runs->size(), 3u);  // a, b and e began runs; c and d were refused first
}

}  // namespace
}  // namespace s5j::transfer
