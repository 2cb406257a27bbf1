// Two processes on one set of volumes (a separate `s5j stage` and `s5j
// drain`): each Stager learns what the other staged or removed after it
// opened — open_reader_anywhere() finds a file staged elsewhere, refresh()
// gives back the space of files removed elsewhere and wakes a blocked
// reserve().
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "staging/stager.h"
#include "staging/staging_error.h"
#include "support/test_env.h"
#include "unit/staging/staging_test_util.h"

namespace s5j::staging {
namespace {

using testing::code_of;
namespace fs = std::filesystem;
constexpr uint64_t kTiB = 1ull << 40;

class StagerTwoProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = s5j::testing::make_temp_dir("staging-two");
    for (int i = 1; i <= 2; ++i) {
      volumes_.push_back(root_ + "/volume-0" + std::to_string(i));
      fs::create_directories(volumes_.back());
      fake_.set(volumes_.back(), 2 * kTiB, kTiB, 20 + i);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Stager> open(uint64_t limit = 0) {
    StagingOptions o;
    o.volumes = volumes_;
    o.job = "job";
    o.reserve_bytes = 0;
    o.volume_limit_bytes = limit;
    o.fs_stats = fake_.fn();
    o.space_recheck_interval = std::chrono::hours(1);  // only refresh() may free space in these tests
    auto s = Stager::open(o);
    EXPECT_TRUE(s.has_value()) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }
  static void stage(Stager& s, StagedId id, const std::string& data) {
    auto r = s.reserve(data.size(), WaitMode::fail_fast);
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    auto w = s.create_writer(id, std::move(*r));
    ASSERT_TRUE(w.has_value());
    ASSERT_TRUE((*w)->append(data).has_value());
    ASSERT_TRUE((*w)->commit().has_value());
  }
  static uint64_t staged_bytes(const Stager& s) {
    uint64_t n = 0;
    for (const auto& u : s.usage()) n += u.staged_bytes;
    return n;
  }

  std::string root_;
  std::vector<std::string> volumes_;
  testing::FakeFsStats fake_;
};

TEST_F(StagerTwoProcesses, ReaderFindsAFileStagedByAnotherStagerAfterItOpened) {
  auto drain = open();
  auto stage_side = open();
  stage(*stage_side, 7, "seven bytes");
  EXPECT_EQ(code_of(drain->open_reader(7)), kStagedNotFound);  // not in its index
  auto r = drain->open_reader_anywhere(7);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->size(), 11u);
  EXPECT_EQ(staged_bytes(*drain), 11u);  // now indexed and counted
  ASSERT_TRUE(drain->remove(7).has_value());
  EXPECT_EQ(staged_bytes(*drain), 0u);
  EXPECT_EQ(code_of(drain->open_reader_anywhere(8)), kStagedNotFound);
}

TEST_F(StagerTwoProcesses, RefreshGivesBackSpaceRemovedElsewhereAndWakesABlockedReserve) {
  auto stage_side = open(/*limit=*/20);
  auto drain = open();
  stage(*stage_side, 1, std::string(15, 'a'));
  stage(*stage_side, 2, std::string(15, 'b'));
  // Both volumes are at their limit for a 10-byte write: it blocks.
  auto blocked = std::async(std::launch::async, [&] { return stage_side->reserve(10, WaitMode::block); });
  for (int i = 0; i < 1000 && !stage_side->waiting_for_space(); ++i) std::this_thread::yield();
  ASSERT_TRUE(drain->open_reader_anywhere(1).has_value());
  ASSERT_TRUE(drain->remove(1).has_value());  // the other process frees a volume
  auto changed = stage_side->refresh();
  ASSERT_TRUE(changed.has_value()) << changed.error().describe();
  EXPECT_EQ(*changed, 1u);
  auto got = blocked.get();
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  EXPECT_EQ(got->bytes(), 10u);
  EXPECT_EQ(staged_bytes(*stage_side), 15u);
  // A file the other side staged shows up too.
  got->release();
  stage(*drain, 3, "xyz");
  EXPECT_EQ(*stage_side->refresh(), 1u);
  EXPECT_EQ(staged_bytes(*stage_side), 18u);
  EXPECT_EQ(*stage_side->refresh(), 0u);
}

}  // namespace
}  // namespace s5j::staging
