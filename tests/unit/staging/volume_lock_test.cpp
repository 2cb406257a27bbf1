// VolumeLock: two ledgers never stage into one job directory at once; runs
// of one ledger share it; a finished ledger's claim is taken over.
#include "staging/volume_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "staging/recovery_scan.h"
#include "staging/staging_layout.h"
#include "staging_test_util.h"
#include "support/test_env.h"

namespace s5j::staging {
namespace {

using testing::code_of;

class VolumeLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = s5j::testing::make_temp_dir("volume-lock");
    volumes_ = {root_ + "/vol1", root_ + "/vol2"};
    for (const auto& v : volumes_) std::filesystem::create_directories(v);
  }
  std::string lock_file(size_t volume) const {
    return job_dir(volumes_[volume], "job") + "/" + std::string(kVolumeLockName);
  }
  std::string root_;
  std::vector<std::string> volumes_;
};

TEST_F(VolumeLockTest, RunsOfOneLedgerShareTheVolumes) {
  auto stage = VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db");
  ASSERT_TRUE(stage.has_value()) << stage.error().describe();
  auto drain = VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db");
  ASSERT_TRUE(drain.has_value()) << drain.error().describe();
  EXPECT_TRUE((*drain)->taken_over().empty());
  std::ifstream in(lock_file(1));
  std::string owner;
  std::getline(in, owner);
  EXPECT_EQ(owner, "ledger A");
}

TEST_F(VolumeLockTest, AnotherLedgerIsRefusedWhileARunHoldsTheVolumes) {
  auto first = VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db");
  ASSERT_TRUE(first.has_value());
  auto second = VolumeLock::acquire(volumes_, "job", "ledger B", "/b.db");
  ASSERT_EQ(code_of(second), kStagingError);
  EXPECT_NE(second.error().message.find("ledger A"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("/b.db"), std::string::npos) << second.error().message;
  // The holder's claim is unchanged.
  std::ifstream in(lock_file(0));
  std::string owner;
  std::getline(in, owner);
  EXPECT_EQ(owner, "ledger A");
}

TEST_F(VolumeLockTest, AHolderInAnotherProcessIsSeen) {
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db");
    char c = held ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(done[0], &c, 1);  // holds the lock until the parent is done
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  EXPECT_EQ(code_of(VolumeLock::acquire(volumes_, "job", "ledger B", "/b.db")), kStagingError);
  EXPECT_TRUE(VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db").has_value());
  (void)!::write(done[1], "x", 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  // The holder is gone: its claim is taken over.
  auto after = VolumeLock::acquire(volumes_, "job", "ledger B", "/b.db");
  ASSERT_TRUE(after.has_value()) << after.error().describe();
  EXPECT_EQ((*after)->taken_over().size(), 2u);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

TEST_F(VolumeLockTest, AFinishedLedgersClaimIsTakenOverAndReported) {
  { ASSERT_TRUE(VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db").has_value()); }
  auto next = VolumeLock::acquire(volumes_, "job", "ledger B", "/b.db");
  ASSERT_TRUE(next.has_value()) << next.error().describe();
  ASSERT_EQ((*next)->taken_over().size(), 2u);
  EXPECT_EQ((*next)->taken_over()[0], volumes_[0] + ": ledger A");
}

TEST_F(VolumeLockTest, MissingVolumesAreLeftToTheStager) {
  auto lock = VolumeLock::acquire({root_ + "/absent"}, "job", "ledger A", "/a.db");
  ASSERT_TRUE(lock.has_value());
  EXPECT_FALSE(std::filesystem::exists(root_ + "/absent"));
}

TEST_F(VolumeLockTest, TheLockFileIsNotStagedDataToTheRecoveryScan) {
  auto lock = VolumeLock::acquire(volumes_, "job", "ledger A", "/a.db");
  ASSERT_TRUE(lock.has_value());
  auto scan = scan_staging(volumes_, "job");
  ASSERT_TRUE(scan.has_value());
  EXPECT_TRUE(scan->unknown.empty()) << scan->unknown.front();
}

}  // namespace
}  // namespace s5j::staging
