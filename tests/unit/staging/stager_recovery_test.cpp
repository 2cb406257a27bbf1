// Crash recovery, the reader and its verify pass, and deletion by id.
#include "staging/stager.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "checksum/md5.h"
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

class StagerRecovery : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = s5j::testing::make_temp_dir("staging-recovery");
    for (int i = 1; i <= 3; ++i) {
      volumes_.push_back(root_ + "/volume-0" + std::to_string(i));
      fs::create_directories(volumes_.back());
      fake_.set(volumes_.back(), 2 * kTiB, kTiB, 10 + i);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  StagingOptions options() {
    StagingOptions o;
    o.volumes = volumes_;
    o.job = "job";
    o.reserve_bytes = 0;
    o.fs_stats = fake_.fn();
    return o;
  }
  std::unique_ptr<Stager> open() {
    auto s = Stager::open(options());
    EXPECT_TRUE(s.has_value()) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }
  Result<StagedFile> stage(Stager& s, StagedId id, const std::vector<unsigned char>& data) {
    auto r = s.reserve(data.size(), WaitMode::fail_fast);
    if (!r) return std::unexpected(r.error());
    auto w = s.create_writer(id, std::move(*r));
    if (!w) return std::unexpected(w.error());
    if (auto ok = (*w)->append(data); !ok) return std::unexpected(ok.error());
    return (*w)->commit();
  }

  std::string root_;
  std::vector<std::string> volumes_;
  testing::FakeFsStats fake_;
};

// A process that dies before commit leaves only the .part: never a file
// under the final name. The next run's scan reports it, discard_partials
// deletes it, and the object can be staged again.
TEST_F(StagerRecovery, CrashBeforeRenameLeavesOnlyAPartThatTheScanReports) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The "crashing" process: half an object, then gone without commit or
    // any destructor running.
    auto s = Stager::open(options());
    if (!s) ::_exit(1);
    auto r = (*s)->reserve(1000, WaitMode::fail_fast);
    if (!r) ::_exit(2);
    auto w = (*s)->create_writer(77, std::move(*r));
    if (!w) ::_exit(3);
    const auto half = random_bytes(500, 5);
    if (!(*w)->append(half)) ::_exit(4);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto s = open();
  auto scan = s->scan();
  ASSERT_TRUE(scan.has_value()) << scan.error().describe();
  EXPECT_TRUE(scan->complete.empty());
  ASSERT_EQ(scan->partial.size(), 1u);
  EXPECT_EQ(scan->partial[0].id, 77);
  EXPECT_EQ(scan->partial[0].size, 500u);
  EXPECT_TRUE(scan->partial[0].path.ends_with("/s5j-staging/job/077/77.part")) << scan->partial[0].path;
  EXPECT_FALSE(s->find(77).has_value()) << "a .part is never a staged copy";
  EXPECT_EQ(code_of(s->open_reader(77)), kStagedNotFound);
  for (const VolumeUsage& u : s->usage()) EXPECT_EQ(u.staged_bytes, 0u);

  auto discarded = s->discard_partials();
  ASSERT_TRUE(discarded.has_value());
  EXPECT_EQ(*discarded, 1u);
  EXPECT_TRUE(s->scan()->partial.empty());
  const auto data = random_bytes(1000, 6);
  auto f = stage(*s, 77, data);
  ASSERT_TRUE(f.has_value()) << f.error().describe();
  EXPECT_EQ(f->checksums.md5, *checksum::md5_of(data));
}

TEST_F(StagerRecovery, DiscardSparesPartsOfLiveWriters) {
  auto s = open();
  auto r = s->reserve(10, WaitMode::fail_fast);
  auto w = s->create_writer(5, std::move(*r));
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->append("01234"));
  EXPECT_EQ(s->scan()->partial.size(), 1u);
  EXPECT_EQ(*s->discard_partials(), 0u);
  ASSERT_TRUE((*w)->append("56789"));
  EXPECT_TRUE((*w)->commit().has_value());
}

TEST_F(StagerRecovery, RestartIndexesStagedFilesAndCountsTheirBytes) {
  StagedFile a, b;
  {
    auto s = open();
    a = *stage(*s, 1, random_bytes(1234, 1));
    b = *stage(*s, 1001, random_bytes(99, 2));  // same shard as 1
  }
  auto s = open();
  auto scan = s->scan();
  ASSERT_TRUE(scan.has_value());
  ASSERT_EQ(scan->complete.size(), 2u);
  EXPECT_EQ(scan->complete[0].id, 1);
  EXPECT_EQ(scan->complete[0].size, 1234u);
  EXPECT_EQ(scan->complete[1].id, 1001);
  const auto loc = s->find(1);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->path, a.path);
  EXPECT_EQ(loc->volume_index, a.volume_index);
  uint64_t staged = 0;
  for (const VolumeUsage& u : s->usage()) staged += u.staged_bytes;
  EXPECT_EQ(staged, 1234u + 99u);
  auto rd = s->open_reader(1001);
  ASSERT_TRUE(rd.has_value());
  auto sums = rd->compute_checksums();
  ASSERT_TRUE(sums.has_value());
  EXPECT_EQ(sums->md5, b.checksums.md5);
  EXPECT_EQ(sums->crc32c, b.checksums.crc32c);
}

TEST_F(StagerRecovery, ReaderServesParallelRangeReads) {
  auto s = open();
  const auto data = random_bytes(1'000'003, 4);
  ASSERT_TRUE(stage(*s, 4, data).has_value());
  auto rd = s->open_reader(4);
  ASSERT_TRUE(rd.has_value());
  EXPECT_EQ(rd->size(), data.size());
  constexpr size_t kPart = 100'000;
  std::vector<std::thread> threads;
  std::vector<int> ok((data.size() + kPart - 1) / kPart, 0);
  for (size_t p = 0; p < ok.size(); ++p) {
    threads.emplace_back([&, p] {
      std::vector<unsigned char> buf(kPart);
      auto n = rd->read_at(p * kPart, buf);
      const size_t want = std::min(kPart, data.size() - p * kPart);
      ok[p] = n && *n == want && std::equal(buf.begin(), buf.begin() + want, data.begin() + p * kPart);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t p = 0; p < ok.size(); ++p) EXPECT_TRUE(ok[p]) << "part " << p;
  std::vector<unsigned char> past(10);
  EXPECT_EQ(*rd->read_at(data.size(), past), 0u);
}

TEST_F(StagerRecovery, RemoveDeletesByIdAndFreesTheSpace) {
  auto s = open();
  auto f = stage(*s, 21, random_bytes(500, 7));
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(s->remove(21).has_value());
  EXPECT_FALSE(fs::exists(f->path));
  EXPECT_FALSE(s->find(21).has_value());
  for (const VolumeUsage& u : s->usage()) EXPECT_EQ(u.staged_bytes, 0u);
  EXPECT_TRUE(s->remove(21).has_value()) << "idempotent";
  EXPECT_EQ(code_of(s->remove(0)), kInvalidArgument);
  EXPECT_EQ(code_of(s->remove(-21)), kInvalidArgument);
}

// Restaging an id elsewhere supersedes the old copy.
TEST_F(StagerRecovery, NewCopyOnAnotherVolumeSupersedesTheOld) {
  auto s = open();
  auto first = stage(*s, 30, random_bytes(100, 8));
  ASSERT_TRUE(first.has_value());
  // Make the first copy's volume the least attractive so the next goes elsewhere.
  fake_.set_available(first->volume, 1000);
  auto second = stage(*s, 30, random_bytes(200, 9));
  ASSERT_TRUE(second.has_value());
  ASSERT_NE(second->volume_index, first->volume_index);
  EXPECT_FALSE(fs::exists(first->path));
  EXPECT_EQ(s->find(30)->path, second->path);
  const auto u = s->usage();
  EXPECT_EQ(u[first->volume_index].staged_bytes, 0u);
  EXPECT_EQ(u[second->volume_index].staged_bytes, 200u);
  auto scan = s->scan();
  ASSERT_EQ(scan->complete.size(), 1u);
}

// Nothing but configured volumes and ids forms a path: a symlink planted
// where a staged file or a shard belongs is neither followed by the scan,
// nor opened by the reader, and remove() unlinks only the link.
TEST_F(StagerRecovery, PlantedSymlinksDoNotLeadOutsideTheStagingDirectories) {
  auto s = open();
  const std::string outside = root_ + "/outside";
  fs::create_directories(outside);
  std::ofstream(outside + "/43") << "precious";  // what a followed link to shard 043 would reach
  std::ofstream(outside + "/precious.txt") << "precious";
  const std::string shard = shard_dir(volumes_[0], "job", 42);
  fs::create_directories(shard);
  fs::create_symlink(outside + "/precious.txt", staged_path(volumes_[0], "job", 42));
  fs::create_directory_symlink(outside, job_dir(volumes_[1], "job") + "/043");

  auto scan = s->scan();
  ASSERT_TRUE(scan.has_value());
  EXPECT_TRUE(scan->complete.empty());
  EXPECT_EQ(scan->unknown.size(), 2u);
  auto reopened = open();
  EXPECT_FALSE(reopened->find(42).has_value());
  EXPECT_FALSE(StagedReader::open(staged_path(volumes_[0], "job", 42)).has_value());
  ASSERT_TRUE(s->remove(42).has_value());
  EXPECT_FALSE(fs::is_symlink(staged_path(volumes_[0], "job", 42)));
  EXPECT_TRUE(fs::exists(outside + "/precious.txt"));
  auto refused = s->remove(43);  // its shard directory on volume 2 is a link
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(code_of(refused), kStagingIoError);
  EXPECT_TRUE(fs::exists(outside + "/43"));
}

}  // namespace
}  // namespace s5j::staging
