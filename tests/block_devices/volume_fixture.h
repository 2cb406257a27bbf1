// Fixture of the `s5j volumes` tests on real loop devices: a private
// directory for mount points and fstab files, devices made on demand, and
// everything unmounted and detached at the end (block_devices/loop_devices.h).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "block_devices/loop_devices.h"

namespace s5j::volumes_test {

inline constexpr uint64_t kMiB = 1ull << 20;

class VolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root (losetup, mkfs, mount): CI runs these as root";
    cleanup_stale_loop_devices();
    static int n = 0;
    dir_ = test_dir() + "/" + std::to_string(::getpid()) + "-m" + std::to_string(n++);
    std::filesystem::create_directories(dir_);
    base_ = dir_ + "/volume-";
    fstab_ = dir_ + "/fstab";
  }
  void TearDown() override {
    // Devices first: releasing one unmounts it, so the directory holds no mount.
    devices_.clear();
    if (!dir_.empty()) remove_unless_mounted(dir_);
  }

  LoopDevice& device(uint64_t size = 1100 * kMiB) {
    std::string error;
    auto d = LoopDevice::create(size, &error);
    if (!d) throw std::runtime_error(error);
    devices_.push_back(std::move(d));
    return *devices_.back();
  }

  std::string mount_point(int n) const { return base_ + (n < 10 ? "0" : "") + std::to_string(n); }

  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

  // Whether `path` is a mount point of its own filesystem now.
  static bool is_mount_point(const std::string& path) {
    struct stat self {}, parent {};
    return ::stat(path.c_str(), &self) == 0 && ::stat((path + "/..").c_str(), &parent) == 0 &&
           self.st_dev != parent.st_dev;
  }

  std::string dir_, base_, fstab_;
  std::vector<std::unique_ptr<LoopDevice>> devices_;
};

}  // namespace s5j::volumes_test
