// Copy while listing, over an in-memory S3 and a real SQLite ledger: the
// sync copies objects before its listing has finished; each listed page is
// compared with the destination before it is committed
// (DestinationMatcher), so what the destination holds already is recorded
// verified and never copied, whatever the key mapping and the hostile keys;
// a re-plan of a finished job does not list the destination again.
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "transfer/parallel_lister.h"
#include "transfer/planner.h"
#include "transfer/sync_engine.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using testing::S3Op;

class CopyWhileListingTest : public InMemoryFixture {
 protected:
  void SetUp() override {
    InMemoryFixture::SetUp();
    destination_server_->create_bucket("dst");
  }

  SyncSettings sync_settings() {
    SyncSettings s;
    s.job = "job";
    s.copier = {.source_bucket = "src", .destination_bucket = "dst", .part_size = 5 * kMiB,
                .multipart_threshold = 8 * kMiB};
    s.workers = 4;
    s.part_threads = 2;
    s.memory_budget = 16 * kMiB;
    s.list_workers = 1;
    s.flush_interval = std::chrono::milliseconds(10);
    return s;
  }

  std::map<std::string, ledger::ObjectState> states() {
    std::map<std::string, ledger::ObjectState> out;
    auto st = ledger::for_each_object(*ledger_, job(), [&](const ledger::ObjectRecord& r) -> Status {
      out[r.key] = r.state;
      return {};
    });
    EXPECT_TRUE(st.has_value());
    return out;
  }

  int destination_lists() const {
    return destination_server_->calls(S3Op::list_objects_v2) + destination_server_->calls(S3Op::list_objects_v1);
  }

  std::shared_ptr<testing::InMemoryS3> destination_server_ = std::make_shared<testing::InMemoryS3>();
  std::unique_ptr<s3::S3Client> destination_ = in_memory_client(destination_server_);
};

TEST_F(CopyWhileListingTest, TheSyncCopiesBeforeItsListingHasEnded) {
  // 2,500 keys under one prefix: three pages of 1,000 in one range.
  for (int i = 0; i < 2500; ++i) server_->put("src", "k/" + std::to_string(100000 + i), test_bytes(64, i));
  // Each source list request after the first page's waits (up to 20 s)
  // until the destination has been written to: with the copy only after
  // the listing, nothing is written while it waits.
  std::mutex mutex;
  std::condition_variable written;
  bool put_seen = false;
  int listings_before_any_put = 0, listings_after_a_put = 0;
  destination_server_->on_request = [&](const testing::RequestSeen& seen) {
    if (seen.op != S3Op::put_object) return;
    std::lock_guard lock(mutex);
    put_seen = true;
    written.notify_all();
  };
  int lists = 0;
  server_->on_request = [&](const testing::RequestSeen& seen) {
    if (seen.op != S3Op::list_objects_v2) return;
    std::unique_lock lock(mutex);
    // Discovery (two delimiter listings: "" then "k/") and the first page.
    if (++lists <= 3) return;
    written.wait_for(lock, std::chrono::seconds(20), [&] { return put_seen; });
    ++(put_seen ? listings_after_a_put : listings_before_any_put);
  };
  SyncEngine engine(sync_settings(), *client_, *destination_, *ledger_, *events_);
  auto report = engine.run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->complete());
  EXPECT_EQ(listings_before_any_put, 0);
  EXPECT_GE(listings_after_a_put, 2);  // pages 2 and 3 were listed after the copy began
  EXPECT_EQ(report->copied_objects, 2500u);
  EXPECT_EQ(report->plan.listed_objects, 2500u);
  EXPECT_EQ(report->plan.pending_objects, 2500u);  // planned: copied during the listing or after it
  EXPECT_EQ(report->plan.already_verified(), 0u);
  EXPECT_EQ(destination_server_->keys("dst"), server_->keys("src"));
  for (const auto& [key, state] : states()) EXPECT_EQ(state, ledger::ObjectState::verified) << key;
}

// Keys that are prefixes of each other, UTF-8, bytes that need escaping.
std::vector<std::string> hostile_names() {
  std::vector<std::string> names = {"a",   "a/",  "a/b",  "a/b/", "a b", "a+b", "a%2Fb", "a&b=c?d#e", "a<b>&amp;",
                                    "a~",  "a\tb", "\xc3\xa9t\xc3\xa9/1", "\xe6\x97\xa5\xe6\x9c\xac/x",
                                    "\xf0\x9f\x98\x80", "~", "~~"};
  for (int i = 0; i < 200; ++i) names.push_back("flat/" + std::to_string(i * 7919 % 100000));
  return names;
}

TEST_F(CopyWhileListingTest, EachPageIsComparedWithTheDestinationUnderAnotherPrefix) {
  // Source under in/, destination under out/: every third object is there
  // identical, every fifth there with other bytes, the rest missing.
  std::set<std::string> identical, different, missing;
  int i = 0;
  for (const auto& name : hostile_names()) {
    const std::string bytes = test_bytes(100 + i, i);
    server_->put("src", "in/" + name, bytes);
    if (i % 3 == 0) {
      destination_server_->put("dst", "out/" + name, bytes);
      identical.insert("in/" + name);
    } else if (i % 5 == 0) {
      destination_server_->put("dst", "out/" + name, test_bytes(100 + i, i + 1000));
      different.insert("in/" + name);
    } else {
      missing.insert("in/" + name);
    }
    ++i;
  }
  // Destination keys between and around the source's, which match nothing.
  for (const char* k : {"out/", "out/a!", "out/zz", "other/a"}) destination_server_->put("dst", k, "x");
  Planner planner({.source_bucket = "src",
                   .source_prefix = "in/",
                   .destination_bucket = "dst",
                   .destination_prefix = "out/",
                   .match_destination = true,
                   .list_workers = 3},
                  *client_, *destination_, *ledger_, job(), *events_);
  auto plan = planner.plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
  EXPECT_EQ(plan->found_at_destination, identical.size());
  EXPECT_EQ(plan->pending_objects, different.size() + missing.size());
  for (const auto& [key, state] : states()) {
    EXPECT_EQ(state, identical.contains(key) ? ledger::ObjectState::verified : ledger::ObjectState::pending) << key;
  }
  const int lists = destination_lists();
  EXPECT_GE(lists, 1);

  // A re-plan compares nothing page by page (the ledger knows every key
  // unchanged): one destination page for the pass over the records still
  // pending, before the listing.
  auto again = planner.plan();
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  EXPECT_EQ(again->found_at_destination, 0u);
  EXPECT_EQ(destination_lists(), lists + 1);

  // Once nothing is pending, a re-plan does not list the destination at all.
  for (const auto& key : different) destination_server_->remove("dst", "out/" + key.substr(3));
  for (const auto& key : missing) destination_server_->put("dst", "out/" + key.substr(3), server_->object("src", key)->data);
  for (const auto& key : different)
    destination_server_->put("dst", "out/" + key.substr(3), server_->object("src", key)->data);
  ASSERT_TRUE(planner.plan().has_value());  // the pending ones found identical now
  EXPECT_EQ(planner.plan()->pending_objects, 0u);
  const int settled = destination_lists();
  auto idle = planner.plan();
  ASSERT_TRUE(idle.has_value());
  EXPECT_EQ(idle->verified_objects, identical.size() + different.size() + missing.size());
  EXPECT_EQ(destination_lists(), settled);
}

TEST_F(CopyWhileListingTest, AReplanComparesOnlyNewAndChangedKeys) {
  for (int i = 0; i < 50; ++i) server_->put("src", "k" + std::to_string(i), test_bytes(10, i));
  Planner planner({.source_bucket = "src", .destination_bucket = "dst", .match_destination = true, .list_workers = 2},
                  *client_, *destination_, *ledger_, job(), *events_);
  ASSERT_TRUE(planner.plan().has_value());  // nothing at the destination: all pending
  // Someone else copied k7 and a new k70 there; k8 changed at the source.
  destination_server_->put("dst", "k7", test_bytes(10, 7));
  server_->put("src", "k70", test_bytes(10, 70));
  destination_server_->put("dst", "k70", test_bytes(10, 70));
  server_->put("src", "k8", test_bytes(11, 8));
  destination_server_->put("dst", "k8", test_bytes(11, 8));
  auto again = planner.plan();
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  auto s = states();
  // k7 was pending from before: compared before the listing (all pending
  // records are); k70 (new) and k8 (changed) as their pages were listed.
  EXPECT_EQ(s["k7"], ledger::ObjectState::verified);
  EXPECT_EQ(s["k70"], ledger::ObjectState::verified);
  EXPECT_EQ(s["k8"], ledger::ObjectState::verified);
  EXPECT_EQ(again->found_at_destination, 3u);
  EXPECT_EQ(again->pending_objects, 48u);
}

}  // namespace
}  // namespace s5j::transfer
