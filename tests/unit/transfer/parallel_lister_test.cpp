// ParallelLister over an in-memory S3 and a real SQLite ledger: every key
// listed exactly once whatever the splits (hostile keys included), ranges
// split from common prefixes and by halving a slow range, a listing cut
// short resumes from its cursors with at most the pages in flight listed
// again, and v1-only or unsorted sources are handed back for one stream.
#include "transfer/parallel_lister.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "support/fake_transport.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using testing::S3Op;

class ParallelListerTest : public InMemoryFixture {
 protected:
  ListerSettings settings(int workers, int max_keys) {
    return {.bucket = "src", .prefix = "", .workers = workers, .owner = "test", .max_keys = max_keys};
  }

  std::set<std::string> ledger_keys() {
    std::set<std::string> keys;
    auto st = ledger::for_each_object(*ledger_, job(), [&](const ledger::ObjectRecord& r) -> Status {
      EXPECT_TRUE(keys.insert(r.key).second) << "twice: " << r.key;
      return {};
    });
    EXPECT_TRUE(st.has_value());
    return keys;
  }

  std::set<std::string> put_all(const std::vector<std::string>& keys) {
    for (const auto& k : keys) server_->put("src", k, "x");
    return {keys.begin(), keys.end()};
  }

  int list_calls() const { return server_->calls(S3Op::list_objects_v2) + server_->calls(S3Op::list_objects_v1); }
};

// Keys that are prefixes of each other, UTF-8 of several widths, bytes that
// need escaping in a query or XML, and the last printable ASCII byte.
std::vector<std::string> hostile_keys() {
  std::vector<std::string> keys = {"a",         "a/",        "a/b",         "a/b/",      "a b",       "a+b",
                                   "a%2Fb",     "a&b=c?d#e", "a<b>&amp;",   "a~",        "a\x7f",     "a\tb",
                                   "\xc3\xa9t\xc3\xa9/1",    "\xc3\xa9t\xc3\xa9/2",    "\xe6\x97\xa5\xe6\x9c\xac/x",
                                   "\xf0\x9f\x98\x80",       "~",         "~~",         "z/../y",    "z//y"};
  for (int i = 0; i < 300; ++i) keys.push_back("flat/" + std::to_string(i * 7919 % 100000));
  return keys;
}

TEST_F(ParallelListerTest, EveryHostileKeyIsListedOnceWhateverTheSplits) {
  const auto expected = put_all(hostile_keys());
  ParallelLister lister(settings(4, 7), *client_, *ledger_, job(), *events_);
  auto outcome = lister.run();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_FALSE(outcome->single_stream);
  EXPECT_EQ(outcome->objects, expected.size());
  EXPECT_EQ(outcome->upsert.inserted, expected.size());
  EXPECT_EQ(outcome->bytes, expected.size());
  EXPECT_GT(outcome->ranges, 1u);
  EXPECT_EQ(ledger_keys(), expected);
}

TEST_F(ParallelListerTest, CommonPrefixesSplitTheKeySpaceBeforeTheFirstPage) {
  std::vector<std::string> keys;
  for (int d = 0; d < 20; ++d)
    for (int i = 0; i < 30; ++i) keys.push_back("data/" + std::to_string(100 + d) + "/" + std::to_string(i));
  const auto expected = put_all(keys);
  ListerSettings s = settings(4, 10);
  s.prefix = "data/";
  ParallelLister lister(s, *client_, *ledger_, job(), *events_);
  auto outcome = lister.run();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  // One delimiter listing of data/, then 4 workers x 4 ranges from its
  // 20 common prefixes.
  EXPECT_GE(outcome->ranges, 16u);
  EXPECT_EQ(ledger_keys(), expected);
  // Each range ends on its own page: no more than one page per range over
  // the 60 pages a single stream needs.
  EXPECT_LE(outcome->pages, 60u + outcome->ranges);
}

TEST_F(ParallelListerTest, AnUnprefixedFlatKeySpaceIsSplitWhileItIsListed) {
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) {
    char k[32];
    std::snprintf(k, sizeof k, "obj/%07d", i);
    keys.push_back(k);
  }
  const auto expected = put_all(keys);
  ParallelLister lister(settings(4, 20), *client_, *ledger_, job(), *events_);
  auto outcome = lister.run();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_GT(outcome->ranges, 3u);
  EXPECT_EQ(ledger_keys(), expected);
}

TEST_F(ParallelListerTest, AListingCutShortResumesFromItsCursors) {
  std::vector<std::string> keys;
  for (int d = 0; d < 8; ++d)
    for (int i = 0; i < 100; ++i) keys.push_back(std::to_string(d) + "/" + std::to_string(1000 + i));
  const auto expected = put_all(keys);
  const int pages_in_one_stream = 800 / 10;
  // The source starts refusing at the 41st list request (the 1st is the
  // delimiter listing): the run fails about half way.
  server_->add_fault({.op = S3Op::list_objects_v2, .nth = 41, .times = 0, .status = 403, .code = "AccessDenied"});
  {
    ParallelLister lister(settings(4, 10), *client_, *ledger_, job(), *events_);
    auto outcome = lister.run();
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, "AccessDenied");
  }
  const size_t listed_before = ledger_keys().size();
  EXPECT_GE(listed_before, 300u);
  EXPECT_LT(listed_before, expected.size());
  server_->clear_faults();
  const int calls_before = list_calls();

  ParallelLister again(settings(4, 10), *client_, *ledger_, job(), *events_);
  auto outcome = again.run();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_TRUE(outcome->resumed);
  EXPECT_EQ(ledger_keys(), expected);
  // The second run lists what was left, the pages that were in flight
  // (one per worker) and the last page of each range again at most.
  const int resumed_calls = list_calls() - calls_before;
  const int left = pages_in_one_stream - static_cast<int>(listed_before / 10);
  EXPECT_LE(resumed_calls, left + 4 + static_cast<int>(outcome->ranges));
  EXPECT_EQ(outcome->objects, expected.size() - listed_before);
  // Finished: a third listing starts afresh.
  ParallelLister third(settings(4, 10), *client_, *ledger_, job(), *events_);
  auto fresh = third.run();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_FALSE(fresh->resumed);
  EXPECT_EQ(fresh->upsert.unchanged, expected.size());
}

TEST_F(ParallelListerTest, AV1OnlySourceIsHandedBackForOneStream) {
  put_all({"a", "b"});
  server_->refuse(S3Op::list_objects_v2);
  ParallelLister lister(settings(4, 10), *client_, *ledger_, job(), *events_);
  auto outcome = lister.run();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_TRUE(outcome->single_stream);
  EXPECT_EQ(outcome->single_stream_reason, "list_api_v1");
  // The listing is dropped: nothing to resume.
  auto resumed = ledger_->open_listing(job(), ParallelLister::scope_of("src", ""));
  ASSERT_TRUE(resumed.has_value());
  EXPECT_FALSE(resumed->resumed);
}

TEST_F(ParallelListerTest, AnUnsortedPageIsHandedBackForOneStream) {
  // A v2 server that lists out of order.
  auto unsorted = std::make_shared<testing::FakeTransport>([](const testing::RecordedRequest&, int) {
    testing::FakeAnswer a;
    a.body =
        "<ListBucketResult><Name>src</Name><IsTruncated>false</IsTruncated><KeyCount>2</KeyCount>"
        "<Contents><Key>b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag>"
        "<Size>1</Size></Contents><Contents><Key>a</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
        "<ETag>\"e\"</ETag><Size>1</Size></Contents></ListBucketResult>";
    return a;
  });
  s3::ClientOptions options;
  options.endpoint_urls = {"http://s3.fake.test"};
  options.credentials = {"TESTACCESSKEY0000001", "testsecretkey000000000000000000000000001", ""};
  s3::S3Client source(options, unsorted);
  ParallelLister lister(settings(2, 10), source, *ledger_, job(), *events_);
  auto outcome = lister.run();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_TRUE(outcome->single_stream);
  EXPECT_EQ(outcome->single_stream_reason, "unsorted");
}

TEST_F(ParallelListerTest, AStopRequestEndsTheListingEarlyAndTheNextRunResumesIt) {
  std::vector<std::string> keys;
  for (int i = 0; i < 500; ++i) keys.push_back("k/" + std::to_string(10000 + i));
  const auto expected = put_all(keys);
  std::atomic<bool> stop{false};
  ListerSettings s = settings(3, 10);
  s.stop_requested = [&] { return stop.load(); };
  ParallelLister lister(s, *client_, *ledger_, job(), *events_);
  auto outcome = lister.run([&](uint64_t objects, uint64_t) {
    if (objects >= 100) stop = true;  // as a SIGTERM would, from another thread
  });
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_TRUE(outcome->stopped);
  const size_t listed_before = ledger_keys().size();
  EXPECT_GE(listed_before, 100u);
  EXPECT_LT(listed_before, expected.size());

  ParallelLister again(settings(3, 10), *client_, *ledger_, job(), *events_);
  auto resumed = again.run();
  ASSERT_TRUE(resumed.has_value()) << resumed.error().describe();
  EXPECT_TRUE(resumed->resumed);
  EXPECT_FALSE(resumed->stopped);
  EXPECT_EQ(resumed->objects, expected.size() - listed_before);
  EXPECT_EQ(ledger_keys(), expected);
}

}  // namespace
}  // namespace s5j::transfer
