#include "staging/staged_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "checksum/crc32c.h"
#include "checksum/md5.h"
#include "staging/stager.h"
#include "staging/staging_error.h"
#include "support/test_env.h"
#include "unit/staging/staging_test_util.h"

namespace s5j::staging {
namespace {

using testing::code_of;

namespace fs = std::filesystem;
constexpr uint64_t kTiB = 1ull << 40;

std::vector<unsigned char> random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> out(n);
  for (auto& b : out) b = static_cast<unsigned char>(rng());
  return out;
}

class StagedWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = s5j::testing::make_temp_dir("staging-writer");
    for (int i = 1; i <= 2; ++i) {
      volumes_.push_back(root_ + "/volume-0" + std::to_string(i));
      fs::create_directories(volumes_.back());
      fake_.set(volumes_.back(), 2 * kTiB, kTiB, 10 + i);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Stager> open(StagingOptions options = {}) {
    options.volumes = volumes_;
    options.job = "job";
    options.reserve_bytes = 0;
    options.fs_stats = fake_.fn();
    auto s = Stager::open(std::move(options));
    EXPECT_TRUE(s.has_value()) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }
  std::unique_ptr<StagedWriter> writer(Stager& s, StagedId id, uint64_t size) {
    auto r = s.reserve(size, WaitMode::fail_fast);
    EXPECT_TRUE(r.has_value());
    auto w = s.create_writer(id, std::move(*r));
    EXPECT_TRUE(w.has_value()) << w.error().describe();
    return std::move(*w);
  }

  std::string root_;
  std::vector<std::string> volumes_;
  testing::FakeFsStats fake_;
};

TEST_F(StagedWriterTest, InOrderWritesAreHashedWhileWriting) {
  auto s = open();
  const auto data = random_bytes(3'000'017, 1);
  auto w = writer(*s, 42, data.size());
  const std::string part = w->part_path();
  EXPECT_TRUE(fs::exists(part));
  EXPECT_FALSE(fs::exists(w->final_path())) << "nothing under the final name before commit";
  for (size_t off = 0; off < data.size(); off += 65'536) {
    ASSERT_TRUE(w->append(std::span(data).subspan(off, std::min<size_t>(65'536, data.size() - off))));
  }
  auto f = w->commit();
  ASSERT_TRUE(f.has_value()) << f.error().describe();
  EXPECT_TRUE(f->hashed_while_writing);
  EXPECT_EQ(f->id, 42);
  EXPECT_EQ(f->size, data.size());
  EXPECT_EQ(f->path, staged_path(f->volume, "job", 42));
  EXPECT_EQ(f->checksums.bytes, data.size());
  EXPECT_EQ(f->checksums.md5, *checksum::md5_of(data));
  EXPECT_EQ(f->checksums.crc32c, checksum::crc32c_of(data));
  EXPECT_FALSE(fs::exists(part));
  EXPECT_EQ(fs::file_size(f->path), data.size());
  struct stat st {};
  ASSERT_EQ(::stat(f->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(shard_dir(f->volume, "job", 42).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  const auto u = s->usage();
  EXPECT_EQ(u[f->volume_index].staged_bytes, data.size());
  EXPECT_EQ(u[f->volume_index].reserved_bytes, 0u);
  EXPECT_EQ(u[f->volume_index].writes_in_flight, 0u);
}

// Ranged GETs in parallel: ranges from several threads, in shuffled order.
TEST_F(StagedWriterTest, OutOfOrderParallelRangesAreHashedByAReadPass) {
  auto s = open();
  const auto data = random_bytes((1 << 20) * 5 + 123, 2);
  auto w = writer(*s, 7, data.size());
  struct Range {
    size_t off, len;
  };
  std::vector<Range> ranges;
  for (size_t off = 0; off < data.size(); off += 300'000) ranges.push_back({off, std::min<size_t>(300'000, data.size() - off)});
  std::shuffle(ranges.begin(), ranges.end(), std::mt19937(3));
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < ranges.size();) {
        if (!w->write_at(ranges[i].off, std::span(data).subspan(ranges[i].off, ranges[i].len))) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto f = w->commit();
  ASSERT_TRUE(f.has_value()) << f.error().describe();
  EXPECT_FALSE(f->hashed_while_writing);
  EXPECT_EQ(f->checksums.md5, *checksum::md5_of(data));
  EXPECT_EQ(f->checksums.crc32c, checksum::crc32c_of(data));
  auto rd = s->open_reader(7);
  ASSERT_TRUE(rd.has_value());
  std::vector<unsigned char> back(data.size());
  ASSERT_EQ(*rd->read_at(0, back), data.size());
  EXPECT_EQ(back, data);
}

TEST_F(StagedWriterTest, RetriedRangeFallsBackToTheBytesOnDisk) {
  auto s = open();
  auto w = writer(*s, 8, 10);
  ASSERT_TRUE(w->write_at(0, "AAAAAXXXXX"));
  ASSERT_TRUE(w->write_at(5, "BBBBB"));  // a retried range, different bytes
  auto f = w->commit();
  ASSERT_TRUE(f.has_value());
  EXPECT_FALSE(f->hashed_while_writing);
  EXPECT_EQ(f->checksums.md5, *checksum::md5_of("AAAAABBBBB"));
  EXPECT_EQ(f->checksums.crc32c, checksum::crc32c_of("AAAAABBBBB"));
}

TEST_F(StagedWriterTest, CommitWithAHoleIsRefusedAndTheWriterStaysUsable) {
  auto s = open();
  auto w = writer(*s, 9, 30);
  ASSERT_TRUE(w->write_at(0, "0123456789"));
  ASSERT_TRUE(w->write_at(20, "abcdefghij"));
  auto bad = w->commit();
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(code_of(bad), kInvalidArgument);
  EXPECT_NE(bad.error().message.find("offset 10"), std::string::npos) << bad.error().message;
  ASSERT_TRUE(w->write_at(10, "KLMNOPQRST"));
  auto f = w->commit();
  ASSERT_TRUE(f.has_value()) << f.error().describe();
  EXPECT_EQ(f->checksums.md5, *checksum::md5_of("0123456789KLMNOPQRSTabcdefghij"));
}

TEST_F(StagedWriterTest, WritesOutsideTheFileAreRefused) {
  auto s = open();
  auto w = writer(*s, 10, 10);
  EXPECT_EQ(code_of(w->write_at(5, "123456")), kInvalidArgument);
  EXPECT_EQ(code_of(w->write_at(11, "")), kInvalidArgument);
  EXPECT_EQ(code_of(w->write_at(UINT64_MAX, "x")), kInvalidArgument);
  EXPECT_TRUE(w->write_at(10, ""));
  EXPECT_TRUE(w->write_at(0, "0123456789"));
  EXPECT_TRUE(w->commit().has_value());
}

TEST_F(StagedWriterTest, EmptyObjectStagesAnEmptyFile) {
  auto s = open();
  auto w = writer(*s, 11, 0);
  auto f = w->commit();
  ASSERT_TRUE(f.has_value()) << f.error().describe();
  EXPECT_TRUE(f->hashed_while_writing);
  EXPECT_EQ(f->checksums.md5, *checksum::md5_of(""));
  EXPECT_EQ(fs::file_size(f->path), 0u);
}

// A disk that fills up mid-write: DiskFull, .part gone, space given back,
// and a reserve() blocked behind it gets the space.
TEST_F(StagedWriterTest, EnospcDuringWriteRemovesPartAndReleasesReservation) {
  StagingOptions options;
  options.pwrite = [](int fd, const void* buf, size_t n, off_t off) -> ssize_t {
    if (off + static_cast<off_t>(n) > 1000) {
      errno = ENOSPC;
      return -1;
    }
    return ::pwrite(fd, buf, n, off);
  };
  auto s = open(std::move(options));
  auto w = writer(*s, 12, 4000);
  const std::string part = w->part_path();
  const auto data = random_bytes(4000, 4);
  ASSERT_TRUE(w->append(std::span(data).first(500)));
  ASSERT_TRUE(w->append(std::span(data).subspan(500, 500)));
  auto r = w->append(std::span(data).subspan(1000, 500));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(code_of(r), kDiskFull);
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(part));
  for (const VolumeUsage& u : s->usage()) {
    EXPECT_EQ(u.reserved_bytes, 0u);
    EXPECT_EQ(u.writes_in_flight, 0u);
    EXPECT_EQ(u.staged_bytes, 0u);
  }
  // The writer is finished: later calls report the same failure.
  EXPECT_EQ(code_of(w->append(std::span(data).first(1))), kDiskFull);
  EXPECT_EQ(code_of(w->commit()), kDiskFull);
  auto scan = s->scan();
  ASSERT_TRUE(scan.has_value());
  EXPECT_TRUE(scan->partial.empty());
  EXPECT_TRUE(scan->complete.empty());
  // The id can be staged again at once.
  w.reset();
  auto again = writer(*s, 12, 10);
  ASSERT_TRUE(again->append("0123456789"));
  EXPECT_TRUE(again->commit().has_value());
}

// A sync that fails (a disk that lost a write, or ran out of space at
// writeback): the commit fails naming the volume, nothing is left under
// either name, the space is given back, and the id can be staged again.
// The first failing sync is the data's (before the rename), the second the
// new name's (after it).
TEST_F(StagedWriterTest, AFailedSyncFailsTheCommitAndLeavesNoFile) {
  for (int failing : {1, 2}) {
    SCOPED_TRACE("failing sync " + std::to_string(failing));
    int calls = 0;
    StagingOptions options;
    options.sync_fs = [&](int fd) {
      if (++calls == failing) {
        errno = ENOSPC;
        return -1;
      }
      return ::syncfs(fd);
    };
    auto s = open(std::move(options));
    auto w = writer(*s, 14, 100);
    const std::string part = w->part_path();
    ASSERT_TRUE(w->append(random_bytes(100, 5)));
    auto r = w->commit();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(code_of(r), kDiskFull);
    EXPECT_EQ(calls, failing);
    EXPECT_NE(r.error().message.find("staging volume"), std::string::npos) << r.error().message;
    EXPECT_FALSE(fs::exists(part));
    auto scan = s->scan();
    ASSERT_TRUE(scan.has_value());
    EXPECT_TRUE(scan->partial.empty());
    EXPECT_TRUE(scan->complete.empty());
    for (const VolumeUsage& u : s->usage()) {
      EXPECT_EQ(u.reserved_bytes, 0u);
      EXPECT_EQ(u.staged_bytes, 0u);
    }
    w.reset();
    auto again = writer(*s, 14, 10);
    ASSERT_TRUE(again->append("0123456789"));
    EXPECT_TRUE(again->commit().has_value());
    s.reset();
    fs::remove_all(volumes_[0] + "/s5j-staging");
    fs::remove_all(volumes_[1] + "/s5j-staging");
  }
}

TEST_F(StagedWriterTest, AbortAndDestructionRemoveThePartAndReleaseSpace) {
  auto s = open();
  std::string part;
  {
    auto w = writer(*s, 13, 100);
    part = w->part_path();
    ASSERT_TRUE(w->append("partial"));
    EXPECT_TRUE(fs::exists(part));
  }
  EXPECT_FALSE(fs::exists(part));
  auto w = writer(*s, 13, 100);
  w->abort();
  EXPECT_FALSE(fs::exists(w->part_path()));
  EXPECT_FALSE(w->append("x").has_value());
  for (const VolumeUsage& u : s->usage()) EXPECT_EQ(u.reserved_bytes, 0u);
}

TEST_F(StagedWriterTest, OneWriterPerIdAndOnlyOwnReservations) {
  auto s = open();
  auto w = writer(*s, 14, 10);
  auto r = s->reserve(10, WaitMode::fail_fast);
  ASSERT_TRUE(r.has_value());
  auto dup = s->create_writer(14, std::move(*r));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(code_of(dup), kInvalidArgument);
  uint32_t in_flight = 0;
  for (const VolumeUsage& u : s->usage()) in_flight += u.writes_in_flight;
  EXPECT_EQ(in_flight, 1u) << "the refused write's reservation was released";
  EXPECT_EQ(code_of(s->create_writer(15, Reservation())), kInvalidArgument);
  auto other = open();
  auto foreign = other->reserve(10, WaitMode::fail_fast);
  ASSERT_TRUE(foreign.has_value());
  EXPECT_EQ(code_of(s->create_writer(15, std::move(*foreign))), kInvalidArgument);
  auto r0 = s->reserve(1, WaitMode::fail_fast);
  EXPECT_EQ(code_of(s->create_writer(0, std::move(*r0))), kInvalidArgument);
}

}  // namespace
}  // namespace s5j::staging
