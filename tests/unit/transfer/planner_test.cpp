// Planner over an in-memory S3 (FakeTransport) and a real SQLite ledger:
// an unsorted source listing (the legacy Snowball adapter) is planned
// correctly, objects already identical at the destination are recognised,
// and a verified unchanged object is not planned again.
#include "transfer/planner.h"

#include <gtest/gtest.h>

#include <map>

#include "ledger/open_ledger.h"
#include "support/fake_transport.h"
#include "support/test_env.h"

namespace s5j::transfer {
namespace {

using testing::FakeAnswer;
using testing::FakeTransport;
using testing::RecordedRequest;

struct Obj {
  std::string key;
  uint64_t size;
  std::string etag;
};

// ListObjects v1 XML of `objects` as given (in that order), one page.
std::string v1_page(const std::vector<Obj>& objects) {
  std::string xml = "<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated>";
  for (const auto& o : objects)
    xml += "<Contents><Key>" + o.key + "</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"" +
           o.etag + "\"</ETag><Size>" + std::to_string(o.size) + "</Size></Contents>";
  return xml + "</ListBucketResult>";
}

std::unique_ptr<s3::S3Client> fake_client(std::shared_ptr<FakeTransport> t, s3::ListApi api) {
  s3::ClientOptions options;
  options.endpoint_urls = {"http://127.0.0.1:9"};
  options.credentials = {"AKID", "secret-for-tests", ""};
  options.list_api = api;
  return std::move(*s3::make_client(options, std::move(t)));
}

const std::string kEtagA = "0cc175b9c0f1b6a831c399e269772661";  // md5("a")
const std::string kEtagB = "92eb5ffee6ae2fec3ad71c777531578f";  // md5("b")
const std::string kEtagC = "4a8a08f09d37b73795649038408b5f33";  // md5("c")

TEST(Planner, UnsortedSourceIsPlannedAndIdenticalDestinationObjectsAreRecognised) {
  // The legacy Snowball adapter lists v1, unsorted.
  auto source = fake_client(std::make_shared<FakeTransport>([](const RecordedRequest&, int) {
                              FakeAnswer a;
                              a.body = v1_page({{"in/c", 1, kEtagC}, {"in/a", 1, kEtagA}, {"in/b", 1, kEtagB}});
                              return a;
                            }),
                            s3::ListApi::v1);
  // The destination already has b, identical, and a with other bytes.
  auto destination = fake_client(std::make_shared<FakeTransport>([](const RecordedRequest&, int) {
                                   FakeAnswer a;
                                   a.body = v1_page({{"out/a", 1, kEtagB}, {"out/b", 1, kEtagB}});
                                   return a;
                                 }),
                                 s3::ListApi::v1);
  auto ledger = ledger::open_ledger({.location = testing::make_temp_dir("planner") + "/l.db"});
  ASSERT_TRUE(ledger.has_value());
  auto job = (*ledger)->open_job("j", ledger::JobMode::direct);
  ASSERT_TRUE(job.has_value());
  auto events = log::EventLog::null();
  Planner planner({"src", "in/", "dst", "out/", true}, *source, *destination, **ledger, job->id, *events);

  auto plan = planner.plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
  EXPECT_FALSE(plan->source_sorted);
  EXPECT_EQ(plan->listed_objects, 3u);
  EXPECT_EQ(plan->found_at_destination, 1u);
  EXPECT_EQ(plan->pending_objects, 2u);  // a (different) and c (missing)
  std::map<std::string, ledger::ObjectState> states;
  ledger::ListQuery q;
  // Held in a local: g++ 12 does not extend a temporary's life through the
  // `*` of a range-for initialiser (C++23's P2718 is not implemented).
  auto listed = (*ledger)->list_objects(job->id, q);
  ASSERT_TRUE(listed.has_value());
  for (const auto& r : *listed) states[r.key] = r.state;
  EXPECT_EQ(states["in/a"], ledger::ObjectState::pending);
  EXPECT_EQ(states["in/b"], ledger::ObjectState::verified);
  EXPECT_EQ(states["in/c"], ledger::ObjectState::pending);

  // Planning again changes nothing: b stays verified, nothing new.
  auto again = planner.plan();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->upsert.inserted, 0u);
  EXPECT_EQ(again->verified_objects, 1u);
  EXPECT_EQ(again->pending_objects, 2u);
}

TEST(Planner, NothingPendingListsOnlyTheSource) {
  auto source_transport = std::make_shared<FakeTransport>([](const RecordedRequest&, int) {
    FakeAnswer a;
    a.body = v1_page({{"a", 1, kEtagA}});
    return a;
  });
  auto dest_transport = std::make_shared<FakeTransport>([](const RecordedRequest&, int) {
    FakeAnswer a;
    a.body = v1_page({{"a", 1, kEtagA}});
    return a;
  });
  auto source = fake_client(source_transport, s3::ListApi::v1);
  auto destination = fake_client(dest_transport, s3::ListApi::v1);
  auto ledger = ledger::open_ledger({.location = testing::make_temp_dir("planner") + "/l.db"});
  auto job = (*ledger)->open_job("j", ledger::JobMode::direct);
  auto events = log::EventLog::null();
  Planner planner({"src", "", "dst", "", true}, *source, *destination, **ledger, job->id, *events);
  ASSERT_TRUE(planner.plan().has_value());  // a found identical: verified
  const size_t dest_requests = dest_transport->request_count();
  ASSERT_TRUE(planner.plan().has_value());  // a no-op re-plan
  EXPECT_EQ(dest_transport->request_count(), dest_requests);  // the destination was not listed again
}

TEST(Planner, AV1OnlySourceIsListedInOneStreamAndSaysSo) {
  auto source = fake_client(std::make_shared<FakeTransport>([](const RecordedRequest&, int) {
                              FakeAnswer a;
                              a.body = v1_page({{"a", 1, kEtagA}, {"b", 1, kEtagB}});
                              return a;
                            }),
                            s3::ListApi::v1);
  auto destination = fake_client(std::make_shared<FakeTransport>([](const RecordedRequest&, int) {
                                   FakeAnswer a;
                                   a.body = v1_page({});
                                   return a;
                                 }),
                                 s3::ListApi::v1);
  auto ledger = ledger::open_ledger({.location = testing::make_temp_dir("planner") + "/l.db"});
  ASSERT_TRUE(ledger.has_value());
  auto job = (*ledger)->open_job("j", ledger::JobMode::direct);
  ASSERT_TRUE(job.has_value());
  auto events = log::EventLog::null();
  std::vector<std::string> told;
  PlannerSettings settings{"src", "", "dst", "", true};
  settings.on_single_stream = [&](const std::string& why) { told.push_back(why); };
  Planner planner(settings, *source, *destination, **ledger, job->id, *events);
  auto plan = planner.plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
  EXPECT_FALSE(plan->listed_in_parallel);
  EXPECT_EQ(plan->single_stream_reason, "list_api_v1");
  EXPECT_EQ(plan->listed_objects, 2u);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("v1 only"), std::string::npos) << told[0];
}

}  // namespace
}  // namespace s5j::transfer
