// A worker never starts an object whose lease it may have lost: records a
// renewal reports lost, and all queued records once the renewals have failed
// for a whole lease (the ledger out of reach), are dropped unstarted. A real
// SQLite ledger (with a fake clock) plays the ledger; another connection
// holding its write lock makes it unreachable (LedgerBusy, retryable), as a
// PostgreSQL server out of reach does.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "support/fake_clock.h"
#include "support/job_files.h"
#include "support/test_env.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/group_commit.h"
#include "transfer/ledger_outage.h"

namespace s5j::transfer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ClaimDispatcherLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("dispatcher-leases");
    auto log = log::EventLog::open(dir_, "events.jsonl", log::Redactor{});
    ASSERT_TRUE(log.has_value());
    events_ = std::move(*log);
    auto opened = ledger::open_ledger({.location = dir_ + "/ledger.db", .clock = &clock_, .busy_timeout = milliseconds(20)});
    ASSERT_TRUE(opened.has_value()) << opened.error().describe();
    ledger_ = std::move(*opened);
    auto job = ledger_->open_job("job", ledger::JobMode::direct);
    ASSERT_TRUE(job.has_value());
    job_ = job->id;
    std::vector<ledger::ListedObject> listed;
    for (int i = 0; i < 8; ++i) listed.push_back({"k" + std::to_string(100 + i), 10, "e", std::nullopt});
    ASSERT_TRUE(ledger_->upsert_listed(job_, listed).has_value());
    committer_ = std::make_unique<GroupCommit>(*ledger_, *events_);
  }
  void TearDown() override {
    if (holder_ != nullptr) sqlite3_close(holder_);
  }
  std::vector<nlohmann::json> events(const std::string& name) {
    events_->flush();
    return testing::events_named(testing::read_event_file(dir_ + "/events.jsonl"), name);
  }
  std::unique_ptr<ClaimDispatcher> dispatcher(const std::string& owner) {
    DispatcherSettings s{.job = job_, .owner = owner, .from = {ledger::ObjectState::pending}, .claim_batch = 8,
                         .lease = seconds(30), .clock = &clock_};
    return std::make_unique<ClaimDispatcher>(s, *ledger_, *committer_, *events_);
  }
  void hold_write_lock() {
    ASSERT_EQ(sqlite3_open((dir_ + "/ledger.db").c_str(), &holder_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(holder_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }

  testing::FakeClock clock_;
  std::string dir_;
  std::unique_ptr<log::EventLog> events_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<GroupCommit> committer_;
  ledger::JobId job_;
  sqlite3* holder_ = nullptr;
};

TEST_F(ClaimDispatcherLeasesTest, RenewalsFailingForAWholeLeaseDropTheQueuedClaimsUnstarted) {
  LedgerOutage outage(std::chrono::hours(1), *events_, clock_);
  auto d = dispatcher("a");
  d->set_outage(&outage);
  auto first = d->next();  // claims 8: one handed out, 7 queued
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(d->held(), 8u);

  hold_write_lock();
  clock_.advance(seconds(10));
  d->renew_leases();  // fails, but the leases are 10 s old of 30: kept
  EXPECT_EQ(d->held(), 8u);
  EXPECT_TRUE(events("claims_dropped").empty());
  clock_.advance(seconds(20));
  d->renew_leases();  // a whole lease without a renewal
  EXPECT_EQ(d->held(), 1u) << "only the object in a transfer is still held";
  const auto dropped = events("claims_dropped");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0]["objects"], 7);
  EXPECT_EQ(dropped[0]["reason"], "leases_expired");
}

TEST_F(ClaimDispatcherLeasesTest, ARenewalThatFindsLeasesTakenOverDropsThoseClaims) {
  auto a = dispatcher("a");
  ASSERT_TRUE(a->next().has_value());  // 8 claimed by a
  ASSERT_EQ(a->held(), 8u);
  // a stops renewing (frozen); its leases expire and b claims them all.
  clock_.advance(seconds(31));
  auto b = dispatcher("b");
  std::vector<ledger::ObjectRecord> taken;
  for (int i = 0; i < 8; ++i) {
    auto r = b->next();
    ASSERT_TRUE(r.has_value());
    taken.push_back(*r);
  }
  ASSERT_TRUE(committer_->commit().has_value());
  // a wakes: its renewal reports the leases lost, so it starts none of the
  // queued objects.
  a->renew_leases();
  EXPECT_EQ(events("leases_lost").size(), 1u);
  const auto dropped = events("claims_dropped");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0]["reason"], "leases_lost");
  EXPECT_GE(dropped[0]["objects"].get<int>(), 1);
  EXPECT_LE(a->held(), 1u) << "at most the object a had started";
}

}  // namespace
}  // namespace s5j::transfer
