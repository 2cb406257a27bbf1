// The volume tests' safety net: loop devices (and their mounts) left by a
// test process that died are detached. Also run by ctest as
// volumes_loop_cleanup after the volume tests, pass or fail.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "block_devices/loop_devices.h"

namespace s5j::volumes_test {
namespace {

TEST(LoopDeviceCleanup, DevicesOfADeadTestProcessAreUnmountedAndDetached) {
  if (!running_as_root()) GTEST_SKIP() << "needs root (losetup, mount)";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A test process that crashes: its device is never released.
    std::string error;
    auto d = LoopDevice::create(64ull << 20, &error);
    std::string path = d ? d->path() : "";
    if (d) {
      run({"mkfs.ext4", "-q", path});
      const std::string mp = std::filesystem::path(d->backing_file()).parent_path().string() + "/mnt";
      std::filesystem::create_directories(mp);
      run({"mount", path, mp});
    }
    (void)!::write(pipe_fds[1], path.data(), path.size());
    std::_Exit(0);  // no destructors
  }
  ::close(pipe_fds[1]);
  char buf[64] = {};
  const auto n = ::read(pipe_fds[0], buf, sizeof buf - 1);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_GT(n, 0) << "the child could not create a loop device";
  const std::string device(buf, static_cast<size_t>(n));
  ASSERT_EQ(run({"losetup", device}).exit_code, 0) << device << " should still be attached";

  EXPECT_GE(cleanup_stale_loop_devices(), 1);
  const auto still = run({"losetup", "--associated", test_dir() + "/" + std::to_string(child) + "-0/disk.img"});
  EXPECT_TRUE(still.out.empty()) << still.out;
  EXPECT_FALSE(std::filesystem::exists(test_dir() + "/" + std::to_string(child) + "-0"));
}

}  // namespace
}  // namespace s5j::volumes_test
