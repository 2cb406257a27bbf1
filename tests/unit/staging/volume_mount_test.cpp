#include "staging/volume_mount.h"

#include <gtest/gtest.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <filesystem>

#include "support/test_env.h"

namespace s5j::staging {
namespace {

TEST(VolumeMount, PlainDirectoryIsNotItsOwnMount) {
  const std::string dir = testing::make_temp_dir("volume-mount");
  std::filesystem::create_directories(dir + "/volume-01");
  const auto m = examine_volume_mount(dir + "/volume-01");
  EXPECT_TRUE(m.examined);
  EXPECT_FALSE(m.own_mount);
  EXPECT_FALSE(m.ok());
  EXPECT_NE(m.problem.find("staging volume " + dir + "/volume-01"), std::string::npos) << m.problem;
  EXPECT_NE(m.problem.find("s5j volumes setup"), std::string::npos) << m.problem;
  std::filesystem::remove_all(dir);
}

TEST(VolumeMount, RootIsItsOwnMountButOnTheRootFilesystem) {
  const auto m = examine_volume_mount("/");
  EXPECT_TRUE(m.own_mount);
  EXPECT_TRUE(m.on_root);
  EXPECT_NE(m.problem.find("is on the root filesystem"), std::string::npos) << m.problem;
}

TEST(VolumeMount, ProcIsAFilesystemOfItsOwn) {
  const auto m = examine_volume_mount("/proc");
  EXPECT_TRUE(m.own_mount);
  EXPECT_FALSE(m.on_root);
  EXPECT_TRUE(m.ok()) << m.problem;
}

TEST(VolumeMount, TmpfsIsInMemory) {
  struct statfs fs {};
  if (::statfs("/dev/shm", &fs) != 0 || fs.f_type != static_cast<decltype(fs.f_type)>(TMPFS_MAGIC))
    GTEST_SKIP() << "/dev/shm is not a tmpfs here";
  const auto m = examine_volume_mount("/dev/shm");
  EXPECT_TRUE(m.in_memory);
  EXPECT_NE(m.problem.find("is in memory (tmpfs)"), std::string::npos) << m.problem;
}

TEST(VolumeMount, MissingDirectoryIsReported) {
  const auto m = examine_volume_mount("/nonexistent/volume-01");
  EXPECT_FALSE(m.examined);
  EXPECT_NE(m.problem.find("cannot be examined"), std::string::npos);
}

}  // namespace
}  // namespace s5j::staging
