// The run history carries the code the process exits with: the engines end
// their run record with "error"/1 on a fatal error (or 12 for failed
// objects) before the CLI maps the error to its exit code (11 for staging,
// 4/5 for refusals), and record_exit_code writes the final code onto this
// process's run, and onto no other.
#include "cli/run_exit_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "ledger/sqlite/sqlite_ledger.h"
#include "support/fake_clock.h"
#include "support/test_env.h"
#include "transfer/job_run.h"

namespace s5j::cli {
namespace {

using namespace std::chrono_literals;

class RunExitRecord : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger::SqliteLedgerOptions o;
    o.path = s5j::testing::make_temp_dir("run-exit") + "/ledger.db";
    clock_.set_wall(std::chrono::system_clock::now());
    o.clock = &clock_;
    auto l = ledger::SqliteLedger::open(o);
    ASSERT_TRUE(l.has_value()) << l.error().describe();
    ledger_ = std::move(*l);
    auto job = ledger_->open_job("archive", ledger::JobMode::staged);
    ASSERT_TRUE(job.has_value());
    job_ = job->id;
  }

  ledger::RunId ended_run(int64_t pid, const std::string& outcome, int code) {
    auto run = ledger_->begin_run(job_, {pid, transfer::local_host_name(), "relay", "0.1.0"});
    EXPECT_TRUE(run.has_value());
    EXPECT_TRUE(ledger_->end_run(*run, outcome, code).has_value());
    return *run;
  }

  ledger::RunRecord run_record(ledger::RunId id) {
    auto runs = ledger_->runs(job_, 10);
    EXPECT_TRUE(runs.has_value());
    for (const auto& r : *runs)
      if (r.id == id) return r;
    ADD_FAILURE() << "no run " << id.value;
    return {};
  }

  s5j::testing::FakeClock clock_;
  std::unique_ptr<ledger::SqliteLedger> ledger_;
  ledger::JobId job_;
};

TEST_F(RunExitRecord, TheProcessRunGetsTheExitCodeAndKeepsItsOutcome) {
  const auto since = clock_.now();
  const auto ours = ended_run(::getpid(), "error", 1);  // a staging error, as the engine ends it
  record_exit_code(*ledger_, "archive", since, 11);
  const auto r = run_record(ours);
  EXPECT_EQ(r.exit_code, 11);
  EXPECT_EQ(r.outcome, "error");
}

TEST_F(RunExitRecord, OtherRunsAreLeftAlone) {
  const auto earlier = ended_run(::getpid(), "complete", 0);  // a run of an earlier process with our pid
  clock_.advance(1s);
  const auto since = clock_.now();
  const auto other = ended_run(::getpid() + 1, "incomplete", 12);  // another process (a drain beside us)
  record_exit_code(*ledger_, "archive", since, 11);  // this process never began its run (lock held)
  EXPECT_EQ(run_record(earlier).exit_code, 0);
  EXPECT_EQ(run_record(other).exit_code, 12);
  record_exit_code(*ledger_, "no-such-job", since, 11);  // nothing to do, no failure
}

}  // namespace
}  // namespace s5j::cli
