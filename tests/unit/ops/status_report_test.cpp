// collect_status over a real SQLite ledger and staging volumes in temp
// directories: totals and what remains, the active run (lock held by a live
// process) or the last one, throughput and ETA, errors by kind, and the
// staging volumes' staged and partial files.
#include "ops/status_report.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include "unit/ops/ops_fixture.h"

namespace s5j::ops {
namespace {

using ledger::ObjectState;
using testing::OpsTest;

class StatusReportTest : public OpsTest {
 protected:
  StatusReport collect(JobContext& context) {
    auto report = collect_status(config_, context, nullptr);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().describe());
    return report ? *report : StatusReport{};
  }

  void failed(ledger::Ledger& l, ledger::JobId job, const std::string& key, uint64_t size, const std::string& error) {
    list(l, job, key, size);
    commit(l, ledger::Transition::of(get(l, job, key), ObjectState::copying));
    auto t = ledger::Transition::of(get(l, job, key), ObjectState::failed);
    t.update.error = error;
    commit(l, t);
  }

  ledger::LockRequest lock(int64_t pid) {
    return {.owner = "test:" + std::to_string(pid), .pid = pid, .host = this_host()};
  }
};

TEST_F(StatusReportTest, NoRecordOfTheJobIsNotAnError) {
  JobContext nothing;
  const auto report = collect(nothing);
  EXPECT_FALSE(report.job_exists);
  EXPECT_EQ(report.job, "opsjob");
  EXPECT_EQ(report.ledger, config_.ledger.path);
}

TEST_F(StatusReportTest, TotalsRemainingAndErrorsByKind) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  verified(l, job, "in/a", 10, "e");
  verified(l, job, "in/b", 20, "e");
  list(l, job, "in/c", 5);
  failed(l, job, "in/d", 7, "SlowDown: please reduce your request rate");
  failed(l, job, "in/e", 1, "no code here");

  const auto report = collect(context);
  EXPECT_TRUE(report.job_exists);
  EXPECT_EQ(report.total_objects, 5u);
  EXPECT_EQ(report.total_bytes, 43u);
  EXPECT_EQ(report.remaining_objects, 3u);
  EXPECT_EQ(report.remaining_bytes, 13u);
  EXPECT_FALSE(report.run.has_value());  // no run recorded
  EXPECT_EQ(report.throughput.basis, "ledger");
  EXPECT_FALSE(report.eta_seconds.has_value());  // nothing running
  EXPECT_FALSE(report.staging.has_value());      // a direct job has no volumes
  ASSERT_EQ(report.errors.size(), 2u);
  std::vector<std::string> kinds{report.errors[0].kind, report.errors[1].kind};
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"SlowDown", "other"}));
}

TEST_F(StatusReportTest, ALiveLockHolderIsTheActiveRunWithItsActivityAndAnEta) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  ASSERT_TRUE(l.begin_run(job, {.pid = ::getpid(), .host = this_host(), .command = "sync"}).has_value());
  ASSERT_TRUE(l.acquire_job_lock(job, lock(::getpid()))->acquired);
  ASSERT_TRUE(l.set_run_activity(job, lock(::getpid()).owner, {.name = "transferring", .since = {}}).has_value());
  verified(l, job, "in/a", 1000, "e");
  list(l, job, "in/b", 4000);

  const auto report = collect(context);
  ASSERT_TRUE(report.run.has_value());
  EXPECT_TRUE(report.run->active);
  EXPECT_EQ(report.run->pid, ::getpid());
  EXPECT_EQ(report.run->command, "sync");
  ASSERT_TRUE(report.run->activity.has_value());
  EXPECT_EQ(report.run->activity->name, "transferring");
  ASSERT_TRUE(report.throughput.last_minute.has_value());
  EXPECT_GT(*report.throughput.last_minute, 0.0);
  ASSERT_TRUE(report.eta_seconds.has_value());  // 4000 bytes left at the last minute's rate
  EXPECT_GT(*report.eta_seconds, 0.0);
}

// A live run that published its figures: status lists it as a worker with
// them, and the ETA is what is left per size class at its pace.
TEST_F(StatusReportTest, AWorkersPublishedPaceMakesTheEtaBySizeClass) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  ASSERT_TRUE(l.begin_run(job, {.pid = ::getpid(), .host = this_host(), .command = "sync"}).has_value());
  ASSERT_TRUE(l.acquire_job_lock(job, lock(::getpid()))->acquired);
  verified(l, job, "in/a", 1000, "e");
  for (int i = 0; i < 10; ++i) list(l, job, "in/small-" + std::to_string(i), 4096);
  list(l, job, "in/big", 300ull << 20);
  transfer::RunFigures figures;
  figures.leases_held = 3;
  transfer::LegPaceFigures copy;
  copy.leg = "copy";
  copy.busy_workers = 2;
  copy.objects_per_second = 5;
  copy.bytes_per_second = 20480;
  copy.classes[0] = {100, 0.5, 4096};
  copy.classes[4] = {4, 30.0, double(300ull << 20)};
  figures.legs = {copy};
  ASSERT_TRUE(l.set_run_figures(job, lock(::getpid()).owner, transfer::encode_run_figures(figures)).value_or(false));

  const auto report = collect(context);
  ASSERT_EQ(report.workers.size(), 1u);
  EXPECT_EQ(report.workers[0].pid, ::getpid());
  ASSERT_TRUE(report.workers[0].figures.has_value());
  EXPECT_EQ(report.workers[0].figures->leases_held, 3u);
  EXPECT_EQ(report.eta_basis, "size_classes");
  ASSERT_TRUE(report.eta_seconds.has_value());
  EXPECT_DOUBLE_EQ(*report.eta_seconds, (10 * 0.5 + 1 * 30.0) / 2);
  ASSERT_EQ(report.remaining_by_size.size(), 2u);
  EXPECT_EQ(report.remaining_by_size[0].size_class, "lt64KiB");
  EXPECT_EQ(report.remaining_by_size[0].objects, 10u);
  EXPECT_EQ(report.remaining_by_size[1].size_class, "ge256MiB");
  EXPECT_EQ(report.remaining_by_size[1].bytes, 300ull << 20);
}

TEST_F(StatusReportTest, AHolderWhoseProcessIsGoneIsNotActive) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  int64_t gone = 0;  // a pid with no process behind it
  for (int64_t pid = 4'000'000; pid > 3'000'000 && !gone; --pid)
    if (!process_alive(pid)) gone = pid;
  ASSERT_NE(gone, 0);
  auto run = l.begin_run(job, {.pid = gone, .host = this_host(), .command = "relay"});
  ASSERT_TRUE(run.has_value());
  ASSERT_TRUE(l.acquire_job_lock(job, lock(gone))->acquired);

  const auto report = collect(context);
  ASSERT_TRUE(report.run.has_value());
  EXPECT_FALSE(report.run->active);  // the last run, which did not finish
  EXPECT_EQ(report.run->pid, gone);
  EXPECT_FALSE(report.run->ended_at.has_value());
}

TEST_F(StatusReportTest, StagingVolumesCountStagedAndPartialFiles) {
  auto context = open_context(ledger::JobMode::staged);
  staged_file(0, 1, 100);
  staged_file(0, 2, 200);
  staged_file(1, 3, 50, /*partial=*/true);

  const auto report = collect(context);
  ASSERT_TRUE(report.staging.has_value());
  EXPECT_EQ(report.staging_error, "");
  ASSERT_EQ(report.staging->size(), 2u);
  const auto& one = (*report.staging)[0];
  const auto& two = (*report.staging)[1];
  EXPECT_EQ(one.staged_files, 2u);
  EXPECT_EQ(one.staged_bytes, 300u);
  EXPECT_EQ(one.partial_files, 0u);
  EXPECT_EQ(two.staged_files, 0u);
  EXPECT_EQ(two.partial_files, 1u);
  EXPECT_EQ(two.partial_bytes, 50u);
  EXPECT_GT(one.total_bytes, 0u);
  EXPECT_EQ(one.error, "");
}

TEST_F(StatusReportTest, AMissingVolumeIsAFigureNotAFailure) {
  config_.staging.volumes.push_back(dir_ + "/not-there");
  auto context = open_context(ledger::JobMode::staged);
  const auto report = collect(context);
  ASSERT_TRUE(report.staging.has_value());
  ASSERT_EQ(report.staging->size(), 3u);
  EXPECT_NE((*report.staging)[2].error.find("missing or not a directory"), std::string::npos);
}

TEST(ErrorKind, IsTheCodeBeforeTheFirstColon) {
  EXPECT_EQ(error_kind("SlowDown: reduce"), "SlowDown");
  EXPECT_EQ(error_kind("no colon"), "other");
  EXPECT_EQ(error_kind(": empty code"), "other");
  EXPECT_EQ(error_kind("has space: x"), "other");
}

}  // namespace
}  // namespace s5j::ops
