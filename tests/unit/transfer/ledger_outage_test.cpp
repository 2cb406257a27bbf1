// A run rides out a ledger it cannot reach for a while: LedgerOutage
// tolerates retryable ledger errors up to its limit (and nothing else), logs
// the outage once when it begins and once when it ends, and backs off; a
// ClaimDispatcher whose claims fail meanwhile pauses and claims again
// instead of stopping the run. The unreachable ledger here is a real SQLite
// ledger whose write lock another connection holds past the busy timeout
// (LedgerBusy, retryable), the same kind of error a PostgreSQL ledger gives
// while its server restarts.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <optional>
#include <thread>

#include "ledger/ledger_error.h"
#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "support/eventually.h"
#include "support/fake_clock.h"
#include "support/job_files.h"
#include "support/test_env.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/group_commit.h"
#include "transfer/ledger_outage.h"
#include "transfer/outage_riding_queue.h"

namespace s5j::transfer {
namespace {

using std::chrono::milliseconds;

Error busy() { return ledger::ledger_error(ErrorKind::retryable, ledger::kLedgerBusy, "the ledger is busy").error(); }

class LedgerOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("ledger-outage");
    auto log = log::EventLog::open(dir_, "events.jsonl", log::Redactor{});
    ASSERT_TRUE(log.has_value());
    events_ = std::move(*log);
  }
  std::vector<nlohmann::json> events(const std::string& name) {
    events_->flush();
    return testing::events_named(testing::read_event_file(dir_ + "/events.jsonl"), name);
  }

  // A ledger holding one pending object "k1", whose write lock another
  // connection then takes (it answers LedgerBusy after 20 ms) until
  // let_go().
  void open_held_ledger() {
    const std::string path = dir_ + "/ledger.db";
    auto opened = ledger::open_ledger({.location = path, .busy_timeout = milliseconds(20)});
    ASSERT_TRUE(opened.has_value()) << opened.error().describe();
    ledger_ = std::move(*opened);
    auto job = ledger_->open_job("job", ledger::JobMode::direct);
    ASSERT_TRUE(job.has_value());
    job_ = job->id;
    const std::vector<ledger::ListedObject> listed{{"k1", 10, "e", std::nullopt}};
    ASSERT_TRUE(ledger_->upsert_listed(job_, listed).has_value());
    ASSERT_EQ(sqlite3_open(path.c_str(), &holder_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(holder_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void let_go() {
    ASSERT_EQ(sqlite3_exec(holder_, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(holder_);
    holder_ = nullptr;
  }
  void TearDown() override {
    if (holder_ != nullptr) sqlite3_close(holder_);
  }

  std::string dir_;
  std::unique_ptr<log::EventLog> events_;
  std::unique_ptr<ledger::Ledger> ledger_;
  ledger::JobId job_;
  sqlite3* holder_ = nullptr;
};

TEST_F(LedgerOutageTest, ToleratesRetryableLedgerErrorsUpToTheLimitAndLogsTheOutageOnce) {
  testing::FakeClock clock;
  LedgerOutage outage(std::chrono::seconds(10), *events_, clock);
  EXPECT_FALSE(outage.active());
  EXPECT_TRUE(outage.tolerate(busy()));
  EXPECT_TRUE(outage.active());
  EXPECT_EQ(outage.backoff(), milliseconds(250));
  clock.advance(milliseconds(4000));
  EXPECT_TRUE(outage.tolerate(busy()));
  EXPECT_EQ(outage.backoff(), milliseconds(500));
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(outage.tolerate(busy()));
  EXPECT_EQ(outage.backoff(), milliseconds(5000)) << "the pause grows to at most 5 s";
  clock.advance(milliseconds(6000));
  EXPECT_FALSE(outage.tolerate(busy())) << "past the limit the error is the run's";

  outage.ended();
  EXPECT_FALSE(outage.active());
  outage.ended();  // no outage: nothing to log
  const auto began = events("ledger_unavailable");
  ASSERT_EQ(began.size(), 1u);
  EXPECT_EQ(began[0]["code"], ledger::kLedgerBusy);
  EXPECT_EQ(began[0]["limit_ms"], 10000);
  const auto over = events("ledger_available");
  ASSERT_EQ(over.size(), 1u);
  EXPECT_EQ(over[0]["after_ms"], 10000);

  // A new outage starts its own clock and its own backoff.
  EXPECT_TRUE(outage.tolerate(busy()));
  EXPECT_EQ(outage.backoff(), milliseconds(250));
  EXPECT_EQ(events("ledger_unavailable").size(), 2u);
}

TEST_F(LedgerOutageTest, OtherErrorsAreNeverTolerated) {
  testing::FakeClock clock;
  LedgerOutage outage(std::chrono::minutes(30), *events_, clock);
  EXPECT_FALSE(outage.tolerate(ledger::ledger_error(ErrorKind::fatal, ledger::kLedgerError, "disk full").error()));
  EXPECT_FALSE(
      outage.tolerate(ledger::ledger_error(ErrorKind::permanent, ledger::kLedgerNotFound, "no such job").error()));
  EXPECT_FALSE(outage.tolerate(make_error(ErrorKind::retryable, "SlowDown", "not the ledger's").error()));
  EXPECT_FALSE(outage.active());
  EXPECT_TRUE(events("ledger_unavailable").empty());
}

// The dispatcher's claim meets a ledger whose write lock another process
// holds: the claiming worker pauses and claims again, the run does not
// stop, and it gets its record once the lock is let go.
TEST_F(LedgerOutageTest, AClaimDispatcherPausesWhileTheLedgerIsOutOfReachAndThenClaims) {
  open_held_ledger();
  LedgerOutage outage(std::chrono::minutes(5), *events_, SystemClock::instance());
  GroupCommit committer(*ledger_, *events_);
  ClaimDispatcher dispatcher({.job = job_, .owner = "me"}, *ledger_, committer, *events_);
  dispatcher.set_outage(&outage);
  std::optional<ledger::ObjectRecord> got;
  std::thread worker([&] { got = dispatcher.next(); });
  EXPECT_TRUE(testing::eventually_every(milliseconds(5), std::chrono::seconds(30), [&] { return outage.active(); }))
      << "the claim never met the held lock";
  let_go();
  worker.join();

  ASSERT_TRUE(got.has_value()) << "the dispatcher gave up instead of claiming again";
  EXPECT_EQ(got->key, "k1");
  EXPECT_FALSE(dispatcher.fatal().has_value());
  EXPECT_FALSE(outage.active());
  EXPECT_EQ(events("ledger_unavailable").size(), 1u);
  EXPECT_EQ(events("ledger_available").size(), 1u);
}

// An object's transfer waits on begin_upload (durable before the first part
// is sent): through OutageRidingQueue it waits the outage out too, instead
// of failing the object.
TEST_F(LedgerOutageTest, AnUploadBegunWhileTheLedgerIsOutOfReachWaitsForIt) {
  open_held_ledger();
  auto record = ledger_->find_object(job_, "k1");  // reads pass the held write lock
  ASSERT_TRUE(record && *record);
  LedgerOutage outage(std::chrono::minutes(5), *events_, SystemClock::instance());
  OutageRidingQueue transitions(*ledger_, outage, SystemClock::instance());
  Result<ledger::UploadRef> begun = std::unexpected(Error{});
  std::thread worker([&] { begun = transitions.begin_upload({(**record).id, "upload-1", 5 << 20, 2}); });
  EXPECT_TRUE(testing::eventually_every(milliseconds(5), std::chrono::seconds(30), [&] { return outage.active(); }))
      << "begin_upload never met the held lock";
  let_go();
  worker.join();

  ASSERT_TRUE(begun.has_value()) << begun.error().describe();
  auto active = ledger_->active_upload((**record).id);
  ASSERT_TRUE(active && *active);
  EXPECT_EQ((**active).upload.upload_id, "upload-1");
  EXPECT_FALSE(outage.active());
  EXPECT_EQ(events("ledger_available").size(), 1u);
}

// Without an outage to ride out (SQLite's default), the same failure stops
// the run as before.
TEST_F(LedgerOutageTest, WithoutAnOutageAFailedClaimIsTheRunsFatalError) {
  open_held_ledger();
  GroupCommit committer(*ledger_, *events_);
  ClaimDispatcher dispatcher({.job = job_, .owner = "me"}, *ledger_, committer, *events_);
  EXPECT_FALSE(dispatcher.next().has_value());
  ASSERT_TRUE(dispatcher.fatal().has_value());
  EXPECT_EQ(dispatcher.fatal()->code, ledger::kLedgerBusy);
}

}  // namespace
}  // namespace s5j::transfer
