// The orphan-upload sweep aborts only uploads under the job's destination
// prefix, for keys of the job, that the ledger does not know.
#include "ops/orphan_uploads.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "log/event_log.h"
#include "s3/access_probe.h"
#include "unit/ops/ops_fixture.h"

namespace s5j::ops {
namespace {

using testing::OpsTest;

class OrphanUploadsTest : public OpsTest {
 protected:
  std::unique_ptr<log::EventLog> events() {
    auto e = log::EventLog::open(config_.log.dir, "orphans-test.jsonl", log::Redactor());
    EXPECT_TRUE(e.has_value());
    return std::move(*e);
  }
};

TEST_F(OrphanUploadsTest, AbortsOnlyUnknownUploadsOfTheJobsKeysUnderThePrefix) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  list(l, job, "in/known", 100);
  list(l, job, "in/orphaned", 100);
  auto ref = l.begin_upload({.object = get(l, job, "in/known").id, .upload_id = "id-known", .part_size = 50,
                             .part_count = 2});
  ASSERT_TRUE(ref.has_value());
  store_.open_upload("dst", "out/known", "id-known");        // the ledger's: resumable
  store_.open_upload("dst", "out/orphaned", "id-orphan");    // lost answer: the orphan
  store_.open_upload("dst", "out/not-ours", "id-stranger");  // another writer's key under the prefix
  store_.open_upload("dst", "elsewhere/orphaned", "id-out"); // outside the prefix
  // A write probe killed between its create and abort (s3/access_probe.h).
  store_.open_upload("dst", s3::write_probe_key("out/"), "id-probe");
  store_.open_upload("dst", s3::write_probe_key("elsewhere/"), "id-other-probe");  // another job's prefix
  auto client = testing::fake_client(store_);
  auto log = events();

  auto aborted = abort_orphan_uploads(*client->client, "dst", "out/", "in/", l, job, *log);
  ASSERT_TRUE(aborted.has_value()) << aborted.error().describe();
  EXPECT_EQ(*aborted, 2u);
  auto gone = store_.aborted();
  std::sort(gone.begin(), gone.end());
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_TRUE(gone[0].starts_with("out/.s5j-write-probe-") && gone[0].ends_with(" id-probe")) << gone[0];
  EXPECT_EQ(gone[1], "out/orphaned id-orphan");
  EXPECT_EQ(store_.open_uploads("dst"), 4u);
}

TEST_F(OrphanUploadsTest, NothingOpenMeansNothingAborted) {
  auto context = open_context();
  list(*context.ledger, context.job->id, "in/a", 1);
  auto client = testing::fake_client(store_);
  auto log = events();
  auto aborted = abort_orphan_uploads(*client->client, "dst", "out/", "in/", *context.ledger, context.job->id, *log);
  ASSERT_TRUE(aborted.has_value());
  EXPECT_EQ(*aborted, 0u);
  // Only the listing was asked: no ledger page of uploads, no abort.
  EXPECT_EQ(client->transport->request_count(), 1u);
}

TEST_F(OrphanUploadsTest, SweepUsesTheConfigsPrefixesAndJob) {
  auto context = open_context();
  list(*context.ledger, context.job->id, "in/k", 1);
  store_.open_upload("dst", "out/k", "lost");
  auto client = testing::fake_client(store_);
  auto log = events();
  sweep_orphan_uploads(*client->client, config_, *context.ledger, *log);
  EXPECT_EQ(store_.aborted(), std::vector<std::string>{"out/k lost"});
}

}  // namespace
}  // namespace s5j::ops
