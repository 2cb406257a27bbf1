// DestinationVerifier over a real SQLite ledger and a fake destination:
// each verified record gets its verdict, missing and different ones go
// back to pending, and the source pass reports keys the ledger never saw.
#include "ops/destination_verifier.h"

#include <gtest/gtest.h>

#include "log/event_log.h"
#include "unit/ops/ops_fixture.h"

namespace s5j::ops {
namespace {

using ledger::ObjectState;
using testing::OpsTest;

const std::string kZeroMd5 = "00000000000000000000000000000000";  // MD5 the fixture records

class DestinationVerifierTest : public OpsTest {
 protected:
  Result<VerifyReport> run(JobContext& context) {
    auto source = testing::fake_client(store_);
    auto destination = testing::fake_client(store_);
    auto events = log::EventLog::open(config_.log.dir, "verify-test.jsonl", log::Redactor());
    EXPECT_TRUE(events.has_value());
    VerifySettings settings{.source_bucket = "src", .source_prefix = "in/", .destination_bucket = "dst",
                            .destination_prefix = "out/", .workers = 2};
    std::optional<ledger::JobId> job;
    if (context.job) job = context.job->id;
    DestinationVerifier verifier(settings, *source->client, *destination->client, context.ledger.get(), job,
                                 **events);
    return verifier.run();
  }
};

TEST_F(DestinationVerifierTest, MissingAndDifferentObjectsAreReopenedMatchingOnesStay) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  for (const std::string key : {"in/match", "in/missing", "in/other-etag"}) {
    verified(l, job, key, 10, kZeroMd5);
    store_.put("src", key, 10, "src-etag");
  }
  store_.put("dst", "out/match", 10, kZeroMd5);
  store_.put("dst", "out/other-etag", 10, "ffffffffffffffffffffffffffffffff");

  auto report = run(context);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_TRUE(report->job_found);
  EXPECT_EQ(report->checked, 3u);
  EXPECT_EQ(report->checked_bytes, 30u);
  EXPECT_EQ(report->ok, 1u);
  EXPECT_EQ(report->missing, 1u);
  EXPECT_EQ(report->different, 1u);
  EXPECT_EQ(report->unproven, 0u);
  EXPECT_EQ(report->reopened, 2u);
  EXPECT_EQ(report->not_verified, 2u);  // the reopened ones wait for the next run
  EXPECT_EQ(report->samples.missing, std::vector<std::string>{"in/missing"});
  EXPECT_EQ(report->samples.different, std::vector<std::string>{"in/other-etag"});
  EXPECT_FALSE(report->clean());

  EXPECT_EQ(get(l, job, "in/match").state, ObjectState::verified);
  EXPECT_EQ(get(l, job, "in/missing").state, ObjectState::pending);
  EXPECT_EQ(get(l, job, "in/other-etag").state, ObjectState::pending);
}

TEST_F(DestinationVerifierTest, EverythingAtTheDestinationAsRecordedIsClean) {
  auto context = open_context();
  verified(*context.ledger, context.job->id, "in/a", 5, kZeroMd5);
  store_.put("src", "in/a", 5, "src-etag");
  store_.put("dst", "out/a", 5, kZeroMd5);
  auto report = run(context);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->ok, 1u);
  EXPECT_EQ(report->reopened, 0u);
  EXPECT_EQ(report->source_listed, 1u);
  EXPECT_TRUE(report->clean());
}

TEST_F(DestinationVerifierTest, SourceKeysTheLedgerNeverSawAreReportedNotAdded) {
  auto context = open_context();
  verified(*context.ledger, context.job->id, "in/known", 5, kZeroMd5);
  store_.put("dst", "out/known", 5, kZeroMd5);
  store_.put("src", "in/known", 5, "src-etag");
  store_.put("src", "in/new", 7, "e");
  store_.put("src", "elsewhere/x", 1, "e");  // outside the source prefix
  auto report = run(context);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->source_listed, 2u);
  EXPECT_EQ(report->unseen_at_source, 1u);
  EXPECT_EQ(report->unseen_bytes, 7u);
  EXPECT_EQ(report->samples.unseen_at_source, std::vector<std::string>{"in/new"});
  EXPECT_FALSE(context.ledger->find_object(context.job->id, "in/new")->has_value());
}

TEST_F(DestinationVerifierTest, WithoutALedgerEverySourceObjectIsUnseen) {
  JobContext nothing;  // no ledger file yet
  store_.put("src", "in/a", 3, "e");
  store_.put("src", "in/b", 4, "e");
  auto report = run(nothing);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_FALSE(report->job_found);
  EXPECT_EQ(report->checked, 0u);
  EXPECT_EQ(report->unseen_at_source, 2u);
  EXPECT_EQ(report->unseen_bytes, 7u);
}

}  // namespace
}  // namespace s5j::ops
