#include "staging/group_sync.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "staging/staging_error.h"
#include "support/eventually.h"
#include "support/test_env.h"

namespace s5j::staging {
namespace {

using namespace std::chrono_literals;

// A syncfs stand-in that blocks each call until the test lets it finish,
// so the test decides who arrives while a sync runs.
class GatedSync {
 public:
  SyncFsFn fn() {
    return [this](int) {
      std::unique_lock lock(mutex_);
      ++started_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return released_ >= started_; });
      if (fail_next_) {
        fail_next_ = false;
        errno = EIO;
        return -1;
      }
      return 0;
    };
  }
  // Waits (bounded, so a bug fails instead of hanging) until `n` syncs have started.
  bool wait_started(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 60s, [&] { return started_ >= n; });
  }
  void release_one(bool fail = false) {
    std::lock_guard lock(mutex_);
    fail_next_ = fail;
    ++released_;
    changed_.notify_all();
  }
  int started() {
    std::lock_guard lock(mutex_);
    return started_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int started_ = 0;
  int released_ = 0;
  bool fail_next_ = false;
};

using s5j::testing::eventually;

class GroupSyncTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = s5j::testing::make_temp_dir("group-sync"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<GroupSync> open(SyncFsFn fn) {
    auto g = GroupSync::open(dir_, std::move(fn));
    EXPECT_TRUE(g.has_value());
    return g ? std::move(*g) : nullptr;
  }
  std::string dir_;
};

TEST_F(GroupSyncTest, WritersArrivingDuringASyncShareTheNextOne) {
  GatedSync gate;
  auto sync = open(gate.fn());
  // A leads the first sync; B, C and D arrive while it runs, so it cannot
  // cover them: they must share exactly one more.
  auto a = std::async(std::launch::async, [&] { return sync->wait_durable(); });
  ASSERT_TRUE(gate.wait_started(1));
  std::vector<std::future<Status>> later;
  for (int i = 0; i < 3; ++i) later.push_back(std::async(std::launch::async, [&] { return sync->wait_durable(); }));
  ASSERT_TRUE(eventually([&] { return sync->waiting() == 4; }));
  EXPECT_EQ(gate.started(), 1);
  gate.release_one();
  EXPECT_TRUE(a.get().has_value());
  ASSERT_TRUE(gate.wait_started(2));
  for (auto& f : later) EXPECT_EQ(f.wait_for(0s), std::future_status::timeout) << "returned before its sync ended";
  gate.release_one();
  for (auto& f : later) EXPECT_TRUE(f.get().has_value());
  EXPECT_EQ(gate.started(), 2);
  EXPECT_EQ(sync->waiting(), 0u);
}

TEST_F(GroupSyncTest, AFailedSyncFailsEveryoneItCoveredAndTheNextCallSyncsAgain) {
  GatedSync gate;
  auto sync = open(gate.fn());
  auto a = std::async(std::launch::async, [&] { return sync->wait_durable(); });
  ASSERT_TRUE(gate.wait_started(1));
  gate.release_one(/*fail=*/true);
  const Status failed = a.get();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, kStagingIoError);
  EXPECT_NE(failed.error().message.find(dir_), std::string::npos) << failed.error().message;
  // Nothing is remembered as durable: the next caller gets a sync of its own.
  auto b = std::async(std::launch::async, [&] { return sync->wait_durable(); });
  ASSERT_TRUE(gate.wait_started(2));
  gate.release_one();
  EXPECT_TRUE(b.get().has_value());
}

// The real syncfs under many concurrent callers: every call succeeds and at
// least one sync ran (how many are shared depends on timing; the sharing
// itself is checked deterministically above).
TEST_F(GroupSyncTest, ManyConcurrentCallersAllSucceedOnTheRealSyncfs) {
  std::atomic<int> calls{0};
  auto sync = open([&](int fd) {
    ++calls;
    return ::syncfs(fd);  // the real one, on the test's directory
  });
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i)
        if (sync->wait_durable()) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_GE(calls.load(), 1);
}

TEST_F(GroupSyncTest, AMissingVolumeIsAnIoErrorNamingIt) {
  const std::string missing = dir_ + "/no-such-volume";
  auto g = GroupSync::open(missing);
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, kStagingIoError);
  EXPECT_NE(g.error().message.find(missing), std::string::npos) << g.error().message;
}

}  // namespace
}  // namespace s5j::staging
