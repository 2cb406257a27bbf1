// A sync killed while it lists the source resumes its listing from the
// ranges' cursors in the ledger instead of listing everything again (issue
// #16), and the copy it then makes is identical.
//
// The source is reached through the fault proxy, which holds every list
// answer for a while (so the kill lands in the middle of the listing) and
// counts the list requests of the second run. A SIGTERM in the middle of
// the listing stops the run cleanly with the listing kept for the next.
// Copy while listing: with every list answer held, objects are verified
// before the listing has ended, and what the destination holds already is
// recognised page by page and not sent.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "fault/fault_proxy.h"
#include "integration/reliability_support.h"

namespace s5j::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kObjects = 6000;  // six pages of 1,000 in one stream
const char* kTransfer = "transfer:\n  list_workers: 2\n";

uint64_t ledger_objects(const std::string& path) {
  const LedgerVerdict v = ledger_verdict(path);
  return v.verified + v.other;
}

class ListingResume : public TwoBuckets {};

TEST_F(ListingResume, AListingKilledMidwayResumesFromItsCursorsAndTheCopyIsIdentical) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < kObjects; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "in/k%05d", i);
    objects.push_back({key, random_bytes(1 + i % 7, 100 + i)});
  }
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 16));

  FaultProxy proxy({.upstream = endpoint_a()});
  const RequestFilter lists{.operations = {"ListObjectsV2"}};
  proxy.set_plan({.seed = 3, .rate = 1.0, .kinds = {FaultKind::delay_past_timeout}, .filter = lists,
                  .delay = 700ms});
  const std::string cfg = config(proxy.url(), endpoint_b(), kTransfer);

  // First run: killed once a third of the objects are in the ledger.
  {
    BackgroundProcess run({s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (run.running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);  // polling the ledger the run writes
      if (ledger_objects(ledger_path()) >= kObjects / 3) break;
    }
    ASSERT_TRUE(run.running()) << "the listing ended before the kill";
    run.kill(SIGKILL);
    run.wait();
  }
  const uint64_t listed_before = ledger_objects(ledger_path());
  ASSERT_GE(listed_before, static_cast<uint64_t>(kObjects / 3));
  ASSERT_LT(listed_before, static_cast<uint64_t>(kObjects));

  // Second run: list answers at once, counted.
  proxy.set_plan({.seed = 3, .rate = 0.0, .filter = lists});
  const size_t files_before = log_files(log_dir()).size();
  auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const size_t list_requests = proxy.decisions().size();

  auto files = log_files(log_dir());
  ASSERT_GT(files.size(), files_before);
  const auto events = read_event_file(files.back());
  auto resumed = events_named(events, "listing_resumed");
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0]["listed_before"].get<uint64_t>(), listed_before);
  auto listed = events_named(events, "source_listed");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0]["resumed"].get<bool>());
  // Every object listed exactly once over both runs.
  EXPECT_EQ(listed[0]["objects"].get<uint64_t>(), kObjects - listed_before);
  // The access probe, the pages not committed before the kill (whole pages
  // of 1,000 and the pages in flight then), and at most one more page per
  // range for where a range's end cuts a page; a listing started over asks
  // for eight (probe, delimiter listing, six pages).
  const size_t pages_left = (kObjects - listed_before + 999) / 1000;
  const auto ranges = listed[0]["ranges"].get<size_t>();
  EXPECT_LE(list_requests, 1 + pages_left + ranges) << list_requests << " list requests, " << ranges << " ranges";
  std::printf("killed with %llu of %d objects listed; the resumed run made %zu list requests (%zu ranges)\n",
              static_cast<unsigned long long>(listed_before), kObjects, list_requests, ranges);

  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, static_cast<uint64_t>(kObjects));
}

TEST_F(ListingResume, SigtermWhileListingStopsCleanlyAndTheNextRunResumesTheListing) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 3000; ++i) objects.push_back({"in/s" + std::to_string(10000 + i), random_bytes(1 + i % 5, i)});
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 16));
  FaultProxy proxy({.upstream = endpoint_a()});
  proxy.set_plan({.seed = 5, .rate = 1.0, .kinds = {FaultKind::delay_past_timeout},
                  .filter = {.operations = {"ListObjectsV2"}}, .delay = 700ms});
  const std::string cfg = config(proxy.url(), endpoint_b(), kTransfer);
  {
    BackgroundProcess run({s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (run.running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);  // polling the ledger the run writes
      if (ledger_objects(ledger_path()) >= 1000) break;
    }
    ASSERT_TRUE(run.running()) << "the listing ended before the signal";
    run.kill(SIGTERM);
    auto r = run.wait();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  auto files = log_files(log_dir());
  ASSERT_FALSE(files.empty());
  auto stopped = events_named(read_event_file(files.back()), "source_listing_stopped");
  ASSERT_EQ(stopped.size(), 1u);
  const uint64_t listed_before = ledger_objects(ledger_path());
  EXPECT_LT(listed_before, objects.size());

  proxy.set_plan({.seed = 5, .rate = 0.0});
  auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto listed = events_named(read_event_file(log_files(log_dir()).back()), "source_listed");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0]["resumed"].get<bool>());
  EXPECT_EQ(listed[0]["objects"].get<uint64_t>(), objects.size() - listed_before);
  expect_identical();
}

TEST_F(ListingResume, TheCopyStartsOnTheFirstCommittedPagesAndWhatTheDestinationHoldsIsNotSent) {
  // 4,000 objects; every fourth is at the destination already, identical.
  constexpr int kCount = 4000;
  std::vector<SeedObject> objects, there;
  for (int i = 0; i < kCount; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "c%05d", i);
    objects.push_back({std::string("in/") + key, random_bytes(1 + i % 9, 300 + i)});
    if (i % 4 == 0) there.push_back({std::string("out/") + key, objects.back().data});
  }
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 16));
  ASSERT_TRUE(seed_objects(*dst_, dst_bucket_, there, 16));
  // Every source list answer held 700 ms: the listing takes seconds.
  FaultProxy proxy({.upstream = endpoint_a()});
  proxy.set_plan({.seed = 9, .rate = 1.0, .kinds = {FaultKind::delay_past_timeout},
                  .filter = {.operations = {"ListObjectsV2"}}, .delay = 700ms});
  const std::string cfg = config(proxy.url(), endpoint_b(), kTransfer);
  auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const auto events = read_event_file(log_files(log_dir()).back());
  size_t first_verified = events.size(), listed_at = events.size(), plan_done_at = events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string name = events[i].value("event", "");
    if (name == "object_verified" && first_verified == events.size()) first_verified = i;
    if (name == "source_listed") listed_at = i;
    if (name == "plan_done") plan_done_at = i;
  }
  ASSERT_LT(listed_at, events.size());
  ASSERT_LT(plan_done_at, events.size());
  // Objects were copied and verified before the listing had ended.
  EXPECT_LT(first_verified, listed_at);
  auto listed = events_named(events, "source_listed");
  EXPECT_EQ(listed[0]["objects"].get<uint64_t>(), static_cast<uint64_t>(kCount));
  EXPECT_EQ(listed[0]["identical_at_destination"].get<uint64_t>(), there.size());
  auto summary = events_named(events, "run_summary");
  ASSERT_EQ(summary.size(), 1u);
  // Only what the destination lacked was sent.
  EXPECT_EQ(summary[0]["copied"].get<uint64_t>(), kCount - there.size());
  EXPECT_EQ(summary[0]["planned"].get<uint64_t>(), kCount - there.size());
  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, static_cast<uint64_t>(kCount));
}

}  // namespace
}  // namespace s5j::testing
