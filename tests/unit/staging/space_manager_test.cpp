#include "staging/space_manager.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "staging/staging_error.h"
#include "unit/staging/staging_test_util.h"

namespace s5j::staging {
namespace {

using testing::code_of;

using namespace std::chrono_literals;
using testing::FakeFsStats;

constexpr uint64_t kTiB = 1ull << 40;

// Guards a wait on the code under test, so a bug fails the test instead of
// hanging it. Not a timing assertion: the bound is far beyond any real wait.
template <class F>
bool ready(F&& future) {
  return future.wait_for(60s) == std::future_status::ready;
}

class SpaceManagerTest : public ::testing::Test {
 protected:
  // `count` volumes /fake/v0.. on separate disks of `available` bytes each.
  std::unique_ptr<SpaceManager> make(size_t count, uint64_t available, SpaceOptions options = {}) {
    std::vector<std::string> paths;
    for (size_t i = 0; i < count; ++i) {
      paths.push_back("/fake/v" + std::to_string(i));
      fake_.set(paths.back(), 2 * available, available, 100 + i);
    }
    options.fs_stats = fake_.fn();
    auto m = SpaceManager::create(paths, std::move(options));
    EXPECT_TRUE(m.has_value());
    return std::move(*m);
  }
  FakeFsStats fake_;
};

TEST_F(SpaceManagerTest, WritesSpreadOverEveryVolume) {
  auto m = make(4, kTiB, {.reserve_bytes = 0});
  std::vector<Reservation> held;
  std::set<size_t> used;
  for (int i = 0; i < 4; ++i) {
    auto r = m->reserve(1000, WaitMode::fail_fast);
    ASSERT_TRUE(r.has_value());
    used.insert(r->volume_index());
    held.push_back(std::move(*r));
  }
  EXPECT_EQ(used.size(), 4u) << "each concurrent write should get its own disk";
  for (const VolumeUsage& u : m->usage()) {
    EXPECT_EQ(u.writes_in_flight, 1u);
    EXPECT_EQ(u.reserved_bytes, 1000u);
  }
}

TEST_F(SpaceManagerTest, EqualLoadPrefersMostFreeSpaceAndSkipsFullVolumes) {
  auto m = make(3, kTiB, {.reserve_bytes = 100});
  fake_.set_available("/fake/v0", 5000);
  fake_.set_available("/fake/v1", 9000);
  fake_.set_available("/fake/v2", 150);  // only 50 usable above the reserve
  auto a = m->reserve(1000, WaitMode::fail_fast);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->volume(), "/fake/v1");
  auto b = m->reserve(1000, WaitMode::fail_fast);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->volume(), "/fake/v0");  // fewer writes in flight wins over more space
  auto c = m->reserve(1000, WaitMode::fail_fast);
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(c->volume(), "/fake/v2");
  auto small = m->reserve(50, WaitMode::fail_fast);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->volume(), "/fake/v2");
}

TEST_F(SpaceManagerTest, DiskFillingUpGivesFullThenRoomAgain) {
  auto m = make(1, 10'000, {.reserve_bytes = 1000});
  auto a = m->reserve(9000, WaitMode::fail_fast);
  ASSERT_TRUE(a.has_value());
  auto b = m->reserve(1, WaitMode::fail_fast);
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(code_of(b), kFull);
  EXPECT_TRUE(b.error().retryable());
  a->release();
  // Someone else filled the disk: 500 bytes above the reserve are all this
  // job can get there now, so a larger object is TooLarge, not a wait.
  fake_.set_available("/fake/v0", 1500);
  auto c = m->reserve(501, WaitMode::block);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(code_of(c), kTooLarge);
  auto d = m->reserve(300, WaitMode::fail_fast);
  ASSERT_TRUE(d.has_value());
  // Space this job holds itself comes back, so this one is only Full.
  EXPECT_EQ(code_of(m->reserve(500, WaitMode::fail_fast)), kFull);
  d->release();
  EXPECT_TRUE(m->reserve(500, WaitMode::fail_fast).has_value());
}

TEST_F(SpaceManagerTest, TooLargeIsReportedUpFrontEvenWhenBlocking) {
  auto m = make(2, 10'000, {.reserve_bytes = 1000});
  auto r = m->reserve(9001, WaitMode::block);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(code_of(r), kTooLarge);
  EXPECT_EQ(r.error().kind, ErrorKind::permanent);
  EXPECT_NE(r.error().message.find("9001"), std::string::npos);
  EXPECT_TRUE(m->reserve(9000, WaitMode::fail_fast).has_value());
}

TEST_F(SpaceManagerTest, TooLargeCountsTheVolumeLimit) {
  auto m = make(2, kTiB, {.reserve_bytes = 0, .volume_limit_bytes = 4096});
  EXPECT_EQ(code_of(m->reserve(4097, WaitMode::block)), kTooLarge);
  auto held = m->reserve(4096, WaitMode::fail_fast);
  ASSERT_TRUE(held.has_value());
  // Not too large: it fits once the other write is done; for now the other
  // volume takes it.
  auto other = m->reserve(4096, WaitMode::fail_fast);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->volume_index(), held->volume_index());
  EXPECT_EQ(code_of(m->reserve(1, WaitMode::fail_fast)), kFull);
}

TEST_F(SpaceManagerTest, VolumesOnOneDiskShareItsFreeSpace) {
  fake_.set("/fake/a", 2000, 1000, 7);
  fake_.set("/fake/b", 2000, 1000, 7);  // same device: one disk
  auto created = SpaceManager::create({"/fake/a", "/fake/b"}, {.reserve_bytes = 0, .fs_stats = fake_.fn()});
  ASSERT_TRUE(created.has_value());
  auto& m = *created;
  auto a = m->reserve(600, WaitMode::fail_fast);
  ASSERT_TRUE(a.has_value());
  auto b = m->reserve(600, WaitMode::fail_fast);
  ASSERT_FALSE(b.has_value()) << "400 bytes left on the shared disk";
  EXPECT_EQ(code_of(b), kFull);
  EXPECT_TRUE(m->reserve(400, WaitMode::fail_fast).has_value());
}

TEST_F(SpaceManagerTest, CommittedBytesCountAgainstTheLimitUntilRemoved) {
  auto m = make(1, kTiB, {.reserve_bytes = 0, .volume_limit_bytes = 1000});
  auto a = m->reserve(700, WaitMode::fail_fast);
  ASSERT_TRUE(a.has_value());
  m->commit(*a);
  EXPECT_FALSE(a->active());
  auto u = m->usage();
  EXPECT_EQ(u[0].staged_bytes, 700u);
  EXPECT_EQ(u[0].reserved_bytes, 0u);
  EXPECT_EQ(u[0].writes_in_flight, 0u);
  EXPECT_EQ(u[0].usable_bytes, 300u);
  EXPECT_EQ(code_of(m->reserve(301, WaitMode::fail_fast)), kFull);
  m->remove_staged(0, 700);
  EXPECT_TRUE(m->reserve(1000, WaitMode::fail_fast).has_value());
}

// Many threads reserving and releasing at once: the bytes granted on a
// volume never exceed its limit, nor its free space above the reserve.
TEST_F(SpaceManagerTest, LimitAndReserveHoldUnderConcurrency) {
  constexpr uint64_t kLimit = 10'000;
  auto m = make(3, kTiB, {.reserve_bytes = 500, .volume_limit_bytes = kLimit});
  fake_.set_available("/fake/v2", 6500);  // v2's disk allows only 6000
  std::array<std::atomic<uint64_t>, 3> held{};
  std::array<std::atomic<uint64_t>, 3> peak{};
  std::atomic<int> granted{0};
  // Each thread keeps up to three reservations, so demand far exceeds the
  // space and threads really contend and wait. Only a thread holding
  // nothing blocks (others fail fast and give one back), so they cannot
  // deadlock holding space while waiting for more.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::deque<std::pair<Reservation, uint64_t>> mine;
      auto drop_oldest = [&] {
        auto& [r, bytes] = mine.front();
        held[r.volume_index()].fetch_sub(bytes);  // lowered before the release
        mine.pop_front();
      };
      for (int i = 0; i < 400; ++i) {
        const uint64_t bytes = 1 + rng() % 4000;
        auto r = m->reserve(bytes, mine.empty() ? WaitMode::block : WaitMode::fail_fast);
        if (!r) {
          ASSERT_EQ(r.error().code, kFull) << r.error().describe();
          drop_oldest();
          continue;
        }
        const size_t v = r->volume_index();
        // Raised after the grant, lowered before the release: never more
        // than the manager has granted on that volume.
        const uint64_t now = held[v].fetch_add(bytes) + bytes;
        uint64_t p = peak[v].load();
        while (now > p && !peak[v].compare_exchange_weak(p, now)) {
        }
        ++granted;
        mine.emplace_back(std::move(*r), bytes);
        if (mine.size() > 3) drop_oldest();
      }
      while (!mine.empty()) drop_oldest();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(granted.load(), 0);
  EXPECT_LE(peak[0].load(), kLimit);
  EXPECT_LE(peak[1].load(), kLimit);
  EXPECT_LE(peak[2].load(), 6000u);
  for (const VolumeUsage& u : m->usage()) {
    EXPECT_EQ(u.reserved_bytes, 0u);
    EXPECT_EQ(u.writes_in_flight, 0u);
  }
  EXPECT_FALSE(m->waiting_for_space());
}

// Back-pressure: a blocked reserve() is woken by a release. The test learns
// that the call is waiting from the on_wait hook (no sleeping).
TEST_F(SpaceManagerTest, BlockingReserveIsWokenByRelease) {
  std::promise<uint64_t> waiting;
  auto waiting_future = waiting.get_future();
  SpaceOptions options{.reserve_bytes = 0};
  options.on_wait = [&](uint64_t bytes) { waiting.set_value(bytes); };
  auto m = make(2, 1000, std::move(options));
  auto a = m->reserve(800, WaitMode::fail_fast);
  auto b = m->reserve(800, WaitMode::fail_fast);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_FALSE(m->waiting_for_space());

  auto blocked = std::async(std::launch::async, [&] { return m->reserve(500, WaitMode::block); });
  ASSERT_TRUE(ready(waiting_future)) << "reserve() never started waiting";
  EXPECT_EQ(waiting_future.get(), 500u);
  EXPECT_TRUE(m->waiting_for_space());
  // No volume has 500 bytes, so it cannot have returned.
  EXPECT_EQ(blocked.wait_for(0s), std::future_status::timeout);

  const size_t freed = b->volume_index();
  b->release();
  ASSERT_TRUE(ready(blocked)) << "the release did not wake the waiter";
  auto r = blocked.get();
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->volume_index(), freed);
  EXPECT_EQ(r->bytes(), 500u);
  EXPECT_FALSE(m->waiting_for_space());
}

TEST_F(SpaceManagerTest, StopTokenCancelsOneWaiter) {
  std::promise<void> waiting;
  SpaceOptions options{.reserve_bytes = 0};
  options.on_wait = [&](uint64_t) { waiting.set_value(); };
  auto m = make(1, 1000, std::move(options));
  auto a = m->reserve(1000, WaitMode::fail_fast);
  std::stop_source stop;
  auto blocked = std::async(std::launch::async, [&] { return m->reserve(1, WaitMode::block, stop.get_token()); });
  ASSERT_TRUE(ready(waiting.get_future())) << "reserve() never started waiting";
  stop.request_stop();
  ASSERT_TRUE(ready(blocked)) << "the stop token did not wake the waiter";
  EXPECT_EQ(code_of(blocked.get()), kCancelled);
  a->release();
  EXPECT_TRUE(m->reserve(1, WaitMode::fail_fast).has_value()) << "only that call was cancelled";
}

// Space freed outside the stager (another process deleting files) is seen
// by the periodic recheck; nothing in the stager signals it.
TEST_F(SpaceManagerTest, BlockedReserveNoticesSpaceFreedElsewhere) {
  std::promise<void> waiting;
  SpaceOptions options{.reserve_bytes = 0, .recheck_interval = 1ms};
  options.on_wait = [&](uint64_t) { waiting.set_value(); };
  auto m = make(1, 100, std::move(options));
  auto held = m->reserve(60, WaitMode::fail_fast);
  ASSERT_TRUE(held.has_value());
  fake_.set_available("/fake/v0", 40);  // the 40 left minus the 60 held: no room
  auto blocked = std::async(std::launch::async, [&] { return m->reserve(50, WaitMode::block); });
  ASSERT_TRUE(ready(waiting.get_future())) << "reserve() never started waiting";
  fake_.set_available("/fake/v0", 200);  // another process deleted its files
  ASSERT_TRUE(ready(blocked)) << "the recheck never saw the freed space";
  EXPECT_TRUE(blocked.get().has_value());
}

TEST_F(SpaceManagerTest, ReservationIsReleasedOnDestructionAndMove) {
  auto m = make(1, 1000, {.reserve_bytes = 0});
  {
    auto a = m->reserve(600, WaitMode::fail_fast);
    ASSERT_TRUE(a.has_value());
    Reservation moved = std::move(*a);
    EXPECT_FALSE(a->active());
    EXPECT_TRUE(moved.active());
    EXPECT_EQ(m->usage()[0].reserved_bytes, 600u);
    moved = Reservation();  // assigning over it releases
    EXPECT_EQ(m->usage()[0].reserved_bytes, 0u);
    auto b = m->reserve(1000, WaitMode::fail_fast);
    ASSERT_TRUE(b.has_value());
  }
  EXPECT_EQ(m->usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(m->usage()[0].writes_in_flight, 0u);
}

TEST_F(SpaceManagerTest, UsageReportsFiguresPerVolume) {
  auto m = make(2, 5000, {.reserve_bytes = 1000, .volume_limit_bytes = 3000});
  auto a = m->reserve(1200, WaitMode::fail_fast);
  ASSERT_TRUE(a.has_value());
  const auto u = m->usage();
  ASSERT_EQ(u.size(), 2u);
  const VolumeUsage& v = u[a->volume_index()];
  EXPECT_EQ(v.path, a->volume());
  EXPECT_EQ(v.total_bytes, 10'000u);
  EXPECT_EQ(v.free_bytes, 5000u);
  EXPECT_EQ(v.reserved_bytes, 1200u);
  EXPECT_EQ(v.staged_bytes, 0u);
  EXPECT_EQ(v.limit_bytes, 3000u);
  EXPECT_EQ(v.usable_bytes, 1800u);  // the limit binds before the disk
  EXPECT_EQ(v.writes_in_flight, 1u);
  EXPECT_TRUE(v.error.empty());
}

}  // namespace
}  // namespace s5j::staging
