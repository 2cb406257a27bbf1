// A staged relay through staging volumes that `s5j volumes setup` made:
// two loop devices formatted and mounted at PREFIX01, PREFIX02, the job
// discovering them by staging.volume_pattern with staging.require_mounts,
// the objects arriving identical and the volumes left empty; then
// `s5j volumes unmount` takes them away again; and a relay through plain
// directories, warned about. Needs the RGWs (fixture rgw).
#include <gtest/gtest.h>

#include "block_devices/loop_devices.h"
#include "integration/relay_test_support.h"

namespace s5j::relay_test {
namespace {

class VolumesRelay : public RelayTest {
 protected:
  void SetUp() override {
    if (!volumes_test::running_as_root()) GTEST_SKIP() << "needs root (losetup, mkfs, mount)";
    volumes_test::cleanup_stale_loop_devices();
    RelayTest::SetUp();
    mount_dir_ = volumes_test::test_dir() + "/" + std::to_string(::getpid()) + "-relay";
    std::filesystem::create_directories(mount_dir_);
    base_ = mount_dir_ + "/volume-";
    for (int i = 0; i < 2; ++i) {
      std::string error;
      auto d = volumes_test::LoopDevice::create(300 * kMiB, &error);
      ASSERT_TRUE(d) << error;
      devices_.push_back(std::move(d));
    }
  }
  void TearDown() override {
    devices_.clear();  // unmounts and detaches
    if (!mount_dir_.empty()) volumes_test::remove_unless_mounted(mount_dir_);
    if (volumes_test::running_as_root()) RelayTest::TearDown();
  }
  std::string mount_dir_, base_;
  std::vector<std::unique_ptr<volumes_test::LoopDevice>> devices_;
};

TEST_F(VolumesRelay, RelayRunsThroughVolumesThatSetupMounted) {
  auto r = s5j({"volumes", "setup", "--device", devices_[0]->path(), "--device", devices_[1]->path(), "--mount-base",
                base_, "--min-size", "64MiB", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  volumes_ = {base_ + "01", base_ + "02"};  // what expect_volumes_empty looks at

  std::vector<testing::SeedObject> objects;
  for (int i = 0; i < 40; ++i)
    objects.push_back({"in/small/" + std::to_string(i), testing::random_bytes(1000 + i * 97, i + 1)});
  objects.push_back({"in/large/mpu", testing::random_bytes(12 * kMiB + 5, 99), 5 * kMiB});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 8));

  const std::string cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/"},
      {testing::endpoint_b(), dst_bucket_, "out/"},
      dir_,
      "staging:\n  volume_pattern: " + base_ + "\n  require_mounts: true\n  reserve: 0\n  scan_interval: 1\n"
      "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 8\n"});
  r = s5j({"relay", "--once", "--no-progress", "-c", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  expect_identical();
  expect_volumes_empty();
  for (const auto& [state, n] : totals())
    EXPECT_EQ(n, state == ledger::ObjectState::verified ? 41u : 0u) << ledger::to_string(state);

  // The run is over: nothing holds the volumes, unmount takes them away.
  r = s5j({"volumes", "unmount", "--mount-base", base_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(devices_[0]->mount_points().empty());
  EXPECT_FALSE(std::filesystem::exists(base_ + "01"));
}

// The fixture's volumes are plain directories on the root filesystem: the
// relay goes ahead, warning about each once its sides answered.
TEST_F(RelayTest, RelayThroughPlainDirectoriesWarnsAboutEachVolume) {
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/a", "alpha"}, {"in/b", "beta"}}));
  const auto r = s5j({"relay", "--once", "--no-progress", "-c", config()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& v : volumes_)
    EXPECT_NE(r.err.find("s5j: warning: staging volume " + v + " is "), std::string::npos) << r.err;
  const auto warned = testing::events_named(testing::read_events(dir_ + "/logs"), "staging_volume_not_mounted");
  EXPECT_EQ(warned.size(), volumes_.size());
  expect_identical();
}

}  // namespace
}  // namespace s5j::relay_test
