// plan_reset and execute_reset over a real SQLite ledger, staging volumes
// in temp directories and a fake destination: the plan names records,
// staged files and open uploads without changing anything; the execution
// removes exactly those and aborts the uploads, leaving unknown files.
#include <gtest/gtest.h>

#include <filesystem>

#include "ops/reset_execution.h"
#include "ops/reset_plan.h"
#include "unit/ops/ops_fixture.h"

namespace s5j::ops {
namespace {

using testing::OpsTest;
namespace fs = std::filesystem;

class ResetTest : public OpsTest {
 protected:
  // A staged job with three records, one upload the ledger holds as open,
  // staged file 5 and partial 6 on the first volume, and a stray file.
  JobContext populated() {
    auto context = open_context(ledger::JobMode::staged);
    auto& l = *context.ledger;
    const auto job = context.job->id;
    list(l, job, "in/a", 10);
    list(l, job, "in/b", 20);
    list(l, job, "in/c", 30);
    auto ref = l.begin_upload({.object = get(l, job, "in/a").id, .upload_id = "up-1", .part_size = 5,
                               .part_count = 2});
    EXPECT_TRUE(ref.has_value());
    staged_file(0, 5, 100);
    staged_file(0, 6, 40, /*partial=*/true);
    std::ofstream(stray()) << "not s5j's";
    return context;
  }
  static uint64_t objects(JobContext& context) {
    auto totals = context.ledger->totals(context.job->id);
    EXPECT_TRUE(totals.has_value());
    uint64_t n = 0;
    for (const auto& t : *totals) n += t.objects;
    return n;
  }
  std::string stray() const { return staging::job_dir(config_.staging.volumes[0], config_.job) + "/notes.txt"; }

  DestinationClientFactory destination() {
    return [this](const config::TransferConfig&) -> Result<std::unique_ptr<s3::S3Client>> {
      fakes_.push_back(testing::fake_client(store_));
      return std::move(fakes_.back()->client);  // its clock stays here, alive
    };
  }
  std::vector<std::unique_ptr<::s5j::testing::FakeS3Client>> fakes_;
};

TEST_F(ResetTest, PlanNamesRecordsStagedFilesAndUploadsAndChangesNothing) {
  auto context = populated();
  auto plan = plan_reset(config_, context);
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
  EXPECT_TRUE(plan->job_exists);
  EXPECT_FALSE(plan->empty());
  EXPECT_EQ(plan->objects, 3u);
  EXPECT_EQ(plan->bytes, 60u);
  ASSERT_EQ(plan->uploads.size(), 1u);
  EXPECT_EQ(plan->uploads[0].upload_id, "up-1");
  ASSERT_EQ(plan->volumes.size(), 1u);  // the second volume holds nothing of the job
  EXPECT_EQ(plan->volumes[0].staged_files, 1u);
  EXPECT_EQ(plan->volumes[0].staged_bytes, 100u);
  EXPECT_EQ(plan->volumes[0].partial_files, 1u);
  EXPECT_EQ(plan->volumes[0].partial_bytes, 40u);
  EXPECT_EQ(plan->staged_ids, std::vector<int64_t>{5});
  EXPECT_EQ(plan->unknown_entries, 1u);
  EXPECT_TRUE(fs::exists(staging::staged_path(config_.staging.volumes[0], config_.job, 5)));
  EXPECT_EQ(objects(context), 3u);  // nothing removed by planning
}

TEST_F(ResetTest, AJobNeverRunWithNoFilesHasAnEmptyPlan) {
  JobContext nothing;
  auto plan = plan_reset(config_, nothing);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->job_exists);
  EXPECT_TRUE(plan->empty());
}

TEST_F(ResetTest, ExecutionRemovesRecordsAndStagedFilesAndAbortsTheUploads) {
  auto context = populated();
  store_.open_upload("dst", "out/a", "up-1");
  store_.open_upload("dst", "out/someone-else", "up-2");
  auto plan = plan_reset(config_, context);
  ASSERT_TRUE(plan.has_value());

  auto done = execute_reset(config_, context, *plan, destination());
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  EXPECT_EQ(done->removed_files, 2u);
  EXPECT_EQ(done->removed_bytes, 140u);
  EXPECT_EQ(done->uploads.aborted, 1u);
  EXPECT_EQ(done->uploads.gone, 0u);
  EXPECT_EQ(done->uploads.left, 0u);
  EXPECT_TRUE(done->warnings.empty());
  EXPECT_EQ(store_.aborted(), std::vector<std::string>{"out/a up-1"});  // only the ledger's upload

  EXPECT_EQ(objects(context), 0u);
  EXPECT_TRUE(context.ledger->open_uploads(context.job->id)->empty());
  EXPECT_FALSE(fs::exists(staging::staged_path(config_.staging.volumes[0], config_.job, 5)));
  EXPECT_FALSE(fs::exists(staging::part_path(config_.staging.volumes[0], config_.job, 6)));
  EXPECT_TRUE(fs::exists(stray()));  // unknown entries stay
}

TEST_F(ResetTest, AnUploadTheDestinationNoLongerHasIsRecordedAsGone) {
  auto context = populated();
  auto plan = plan_reset(config_, context);
  ASSERT_TRUE(plan.has_value());
  auto done = execute_reset(config_, context, *plan, destination());
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  EXPECT_EQ(done->uploads.aborted, 0u);
  EXPECT_EQ(done->uploads.gone, 1u);
  EXPECT_TRUE(context.ledger->open_uploads(context.job->id)->empty());
}

TEST_F(ResetTest, AnUnreachableDestinationLeavesTheUploadsListedWithAWarning) {
  auto context = populated();
  auto plan = plan_reset(config_, context);
  ASSERT_TRUE(plan.has_value());
  DestinationClientFactory unreachable = [](const config::TransferConfig&) -> Result<std::unique_ptr<s3::S3Client>> {
    return make_error(ErrorKind::fatal, "NoClient", "no endpoint");
  };
  auto done = execute_reset(config_, context, *plan, unreachable);
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  EXPECT_EQ(done->uploads.left, 1u);
  ASSERT_EQ(done->warnings.size(), 1u);
  EXPECT_NE(done->warnings[0].find("stay listed in the ledger"), std::string::npos) << done->warnings[0];
  EXPECT_EQ(context.ledger->open_uploads(context.job->id)->size(), 1u);
}

}  // namespace
}  // namespace s5j::ops
