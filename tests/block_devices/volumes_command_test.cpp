// `s5j volumes setup | list | unmount` on real block devices (loop devices
// over sparse files, as root): what an operator does on a fresh instance,
// and every refusal leaving the device byte for byte as it was.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <nlohmann/json.hpp>

#include "block_devices/volume_fixture.h"
#include "staging/volume_lock.h"

namespace s5j::volumes_test {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

nlohmann::json listed(const std::string& device) {
  const auto r = s5j({"volumes", "list", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto all = nlohmann::json::parse(r.out);
  for (const auto& d : all["devices"])
    if (d["device"] == device) return d;
  ADD_FAILURE() << device << " not listed: " << r.out;
  return {};
}

class VolumesCommand : public VolumeTest {};

TEST_F(VolumesCommand, ThreeBlankDevicesSetUpListedInTheFstabAndUnmountedAgainKeepingTheirData) {
  auto& a = device();
  auto& b = device();
  auto& c = device();
  const std::string original_fstab = "# the machine's own lines stay as they are\nUUID=aaaa / ext4 defaults 0 1\n";
  write(fstab_, original_fstab);

  auto r = s5j({"volumes", "setup", "--device", a.path(), "--device", b.path(), "--device", c.path(),
                "--mount-base", base_, "--fstab", fstab_, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE(is_mount_point(mount_point(n))) << mount_point(n) << "\n" << r.out;
  EXPECT_EQ(a.mount_points(), std::vector<std::string>{mount_point(1)});
  EXPECT_EQ(b.mount_points(), std::vector<std::string>{mount_point(2)});
  EXPECT_EQ(c.mount_points(), std::vector<std::string>{mount_point(3)});

  // Listed as s5j volumes, with their free space.
  const auto la = listed(a.path());
  EXPECT_EQ(la["state"], "s5j");
  EXPECT_EQ(la["fs_type"], "ext4");
  EXPECT_EQ(la["label"], "s5j-vol-01");
  EXPECT_GT(la["free_bytes"].get<uint64_t>(), 900 * kMiB);
  const std::string uuid_a = la["uuid"];

  // The fstab: the old lines, then one line per volume.
  const std::string fstab = read(fstab_);
  EXPECT_TRUE(fstab.starts_with(original_fstab)) << fstab;
  EXPECT_TRUE(contains(fstab, "UUID=" + uuid_a + " " + mount_point(1) +
                                  " ext4 defaults,noatime,nofail,x-systemd.device-timeout=10s 0 2\n"))
      << fstab;
  EXPECT_TRUE(contains(fstab, " " + mount_point(3) + " ext4 ")) << fstab;

  // Data staged on a volume survives unmount and setup again.
  write(mount_point(2) + "/kept.txt", "staged bytes");
  r = s5j({"volumes", "unmount", "--mount-base", base_, "--fstab", fstab_});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (int n = 1; n <= 3; ++n) EXPECT_FALSE(std::filesystem::exists(mount_point(n))) << mount_point(n);
  EXPECT_TRUE(a.mount_points().empty());
  EXPECT_EQ(read(fstab_), original_fstab) << "unmount must undo setup's fstab lines exactly";

  // After a reboot: the same command mounts them again, no mkfs.
  r = s5j({"volumes", "setup", "--device", c.path(), "--device", b.path(), "--device", a.path(),
           "--mount-base", base_, "--fstab", fstab_, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(contains(r.out, "mkfs")) << r.out;
  EXPECT_TRUE(contains(r.out, "its data kept")) << r.out;
  // Each comes back at the number of its label, whatever the order named.
  EXPECT_EQ(b.mount_points(), std::vector<std::string>{mount_point(2)});
  EXPECT_EQ(read(mount_point(2) + "/kept.txt"), "staged bytes");
  EXPECT_EQ(listed(a.path())["uuid"], uuid_a);

  // setup again while mounted: nothing to do, nothing changes.
  const std::string fstab_before = read(fstab_);
  r = s5j({"volumes", "setup", "--device", a.path(), "--mount-base", base_, "--fstab", fstab_, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "already mounted at " + mount_point(1))) << r.out;
  EXPECT_EQ(read(fstab_), fstab_before);

  ASSERT_EQ(s5j({"volumes", "unmount", "--mount-base", base_, "--fstab", fstab_}).exit_code, 0);
  EXPECT_EQ(read(fstab_), original_fstab);
}

TEST_F(VolumesCommand, DeviceHoldingAnotherFilesystemIsRefusedAndLeftByteForByte) {
  auto& foreign = device(300 * kMiB);
  auto& blank = device(300 * kMiB);
  ASSERT_EQ(run({"mkfs.ext4", "-q", "-L", "customer-data", foreign.path()}).exit_code, 0);
  const std::string foreign_hash = foreign.content_hash();
  const std::string blank_hash = blank.content_hash();

  // One refused device stops the whole command: the blank one named with
  // it is not formatted either.
  const auto r = s5j({"volumes", "setup", "--device", blank.path(), "--device", foreign.path(), "--mount-base", base_,
                      "--min-size", "64MiB", "--fstab", fstab_, "--yes"});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "refused: " + foreign.path() + " holds a signature of type ext4, labelled 'customer-data'"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "--wipe " + foreign.path())) << r.err;
  EXPECT_EQ(foreign.content_hash(), foreign_hash);
  EXPECT_EQ(blank.content_hash(), blank_hash);
  EXPECT_TRUE(foreign.mount_points().empty());
  EXPECT_FALSE(std::filesystem::exists(mount_point(1)));
  EXPECT_FALSE(std::filesystem::exists(fstab_));

  // --wipe alone (without --device) is a usage error; named twice it is erased.
  EXPECT_EQ(s5j({"volumes", "setup", "--device", blank.path(), "--wipe", foreign.path(), "--mount-base", base_,
                 "--min-size", "64MiB", "--yes"})
                .exit_code,
            2);
  EXPECT_EQ(foreign.content_hash(), foreign_hash);
  const auto wiped = s5j({"volumes", "setup", "--device", foreign.path(), "--wipe", foreign.path(), "--mount-base",
                          base_, "--min-size", "64MiB", "--yes"});
  ASSERT_EQ(wiped.exit_code, 0) << wiped.out << wiped.err;
  EXPECT_TRUE(contains(wiped.out, "wipefs --all --quiet " + foreign.path())) << wiped.out;
  EXPECT_EQ(listed(foreign.path())["label"], "s5j-vol-01");
}

TEST_F(VolumesCommand, DeviceUnderRootIsRefused) {
  struct stat root {};
  ASSERT_EQ(::stat("/", &root), 0);
  const std::string sys = "/sys/dev/block/" + std::to_string(::major(root.st_dev)) + ":" +
                          std::to_string(::minor(root.st_dev));
  std::error_code ec;
  const auto real = std::filesystem::canonical(sys, ec);
  if (ec) GTEST_SKIP() << "/ is not on a block device here (" << sys << " missing)";
  std::vector<std::string> names{"/dev/" + real.filename().string()};
  if (std::filesystem::exists(real / "partition")) names.push_back("/dev/" + real.parent_path().filename().string());

  for (const auto& dev : names) {
    // Hash what can be read of its start (a container may forbid reading it).
    const auto before = run({"sh", "-c", "head -c 16777216 " + dev + " | sha256sum"});
    const auto r = s5j({"volumes", "setup", "--device", dev, "--wipe", dev, "--mount-base", base_, "--yes"});
    EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "refused: " + dev + " holds / (the root filesystem)")) << r.err;
    EXPECT_TRUE(contains(r.err, "nothing was changed")) << r.err;
    EXPECT_TRUE(r.out.empty()) << "no step may have run: " << r.out;
    const auto after = run({"sh", "-c", "head -c 16777216 " + dev + " | sha256sum"});
    EXPECT_EQ(before.out, after.out);
  }
  EXPECT_FALSE(std::filesystem::exists(mount_point(1)));
}

TEST_F(VolumesCommand, NotABlockDeviceMissingAndTooSmallAreRefused) {
  auto& small = device(100 * kMiB);
  const std::string hash = small.content_hash();
  write(dir_ + "/disk.img", "a regular file");
  const auto r = s5j({"volumes", "setup", "--device", dir_ + "/disk.img", "--device", "/dev/s5j-no-such-disk",
                      "--device", small.path(), "--mount-base", base_, "--yes"});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "refused: " + dir_ + "/disk.img is not a block device")) << r.err;
  EXPECT_TRUE(contains(r.err, "refused: /dev/s5j-no-such-disk does not exist")) << r.err;
  EXPECT_TRUE(contains(r.err, "refused: " + small.path() + " is 100.0 MiB, smaller than the minimum of 1.0 GiB"))
      << r.err;
  EXPECT_EQ(small.content_hash(), hash);
  EXPECT_FALSE(std::filesystem::exists(mount_point(1)));
}

TEST_F(VolumesCommand, DryRunPrintsTheCommandsAndChangesNothing) {
  auto& a = device(200 * kMiB);
  auto& b = device(200 * kMiB);
  const std::string ha = a.content_hash(), hb = b.content_hash();
  const auto r = s5j({"volumes", "setup", "--device", a.path(), "--device", b.path(), "--mount-base", base_,
                      "--min-size", "64MiB", "--fs", "xfs", "--fstab", fstab_, "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "mkfs.xfs -q -L s5j-vol-01 -m uuid=")) << r.out;
  EXPECT_TRUE(contains(r.out, "mount -t xfs -o noatime " + b.path() + " " + mount_point(2))) << r.out;
  EXPECT_TRUE(contains(r.out, "add to " + fstab_ + ": UUID=")) << r.out;
  EXPECT_EQ(a.content_hash(), ha);
  EXPECT_EQ(b.content_hash(), hb);
  EXPECT_FALSE(std::filesystem::exists(mount_point(1)));
  EXPECT_FALSE(std::filesystem::exists(fstab_));
  EXPECT_TRUE(a.mount_points().empty());
}

TEST_F(VolumesCommand, XfsVolumeIsMadeAndMountedAgain) {
  auto& a = device(320 * kMiB);  // mkfs.xfs wants at least 300 MiB
  auto r = s5j({"volumes", "setup", "--device", a.path(), "--fs", "xfs", "--mount-base", base_, "--min-size", "64MiB",
                "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(listed(a.path())["fs_type"], "xfs");
  EXPECT_EQ(listed(a.path())["label"], "s5j-vol-01");
  write(mount_point(1) + "/kept.txt", "xfs bytes");
  ASSERT_EQ(s5j({"volumes", "unmount", "--mount-base", base_}).exit_code, 0);
  r = s5j({"volumes", "setup", "--device", a.path(), "--mount-base", base_, "--min-size", "64MiB", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(contains(r.out, "mkfs")) << r.out;
  EXPECT_EQ(read(mount_point(1) + "/kept.txt"), "xfs bytes");
  ASSERT_EQ(s5j({"volumes", "unmount", "--mount-base", base_}).exit_code, 0);
}

TEST_F(VolumesCommand, NumbersSkipPathsInUse) {
  auto& a = device(200 * kMiB);
  std::filesystem::create_directories(mount_point(1));
  write(mount_point(1) + "/someone-elses-file", "x");  // 01 is taken
  std::filesystem::create_directories(mount_point(2));  // empty: free to use
  const auto r = s5j({"volumes", "setup", "--device", a.path(), "--mount-base", base_, "--min-size", "64MiB",
                      "--owner", "nobody", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(a.mount_points(), std::vector<std::string>{mount_point(2)});
  struct stat st {};
  ASSERT_EQ(::stat(mount_point(2).c_str(), &st), 0);
  EXPECT_NE(st.st_uid, 0u) << "--owner nobody";
  ASSERT_EQ(s5j({"volumes", "unmount", "--mount-base", base_}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(mount_point(1) + "/someone-elses-file"));
}

TEST_F(VolumesCommand, UnmountIsRefusedWhileARunStagesThere) {
  auto& a = device(200 * kMiB);
  ASSERT_EQ(s5j({"volumes", "setup", "--device", a.path(), "--mount-base", base_, "--min-size", "64MiB", "--yes"})
                .exit_code,
            0);
  {
    // What a stage or relay run holds on every volume while it runs.
    auto lock = staging::VolumeLock::acquire({mount_point(1)}, "nightly", "job nightly in ledger /x.db", "/x.db");
    ASSERT_TRUE(lock.has_value()) << lock.error().message;
    const auto r = s5j({"volumes", "unmount", "--mount-base", base_});
    EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, mount_point(1) + " is in use: a run of job nightly stages there")) << r.err;
    EXPECT_EQ(a.mount_points(), std::vector<std::string>{mount_point(1)});
  }
  const auto r = s5j({"volumes", "unmount", "--mount-base", base_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(a.mount_points().empty());
}

TEST_F(VolumesCommand, AllFreeNeverPicksLoopDevices) {
  auto& a = device(200 * kMiB);
  const auto r = s5j({"volumes", "setup", "--all-free", "--mount-base", base_, "--min-size", "64MiB", "--dry-run"});
  EXPECT_FALSE(contains(r.out, a.path())) << r.out;
  EXPECT_TRUE(a.mount_points().empty());
}

TEST_F(VolumesCommand, ListShowsFreeDevicesAndWhetherTheJobsVolumesAreMounted) {
  auto& a = device(200 * kMiB);
  auto& b = device(200 * kMiB);
  EXPECT_EQ(listed(a.path())["state"], "free");
  ASSERT_EQ(s5j({"volumes", "setup", "--device", b.path(), "--mount-base", base_, "--min-size", "64MiB", "--yes"})
                .exit_code,
            0);
  std::filesystem::create_directories(mount_point(2));  // a plain directory discovery also finds
  write(dir_ + "/config.yaml",
        "source:\n  bucket: a\n  endpoint_urls: [http://127.0.0.1:1]\n  access_key: AKIAEXAMPLE\n  secret_access_key: "
        "x\ndestination:\n  bucket: b\n  endpoint_urls: [http://127.0.0.1:1]\n  access_key: AKIAEXAMPLE\n  "
        "secret_access_key: x\nstaging:\n  volume_pattern: " +
            base_ + "\n");
  ::chmod((dir_ + "/config.yaml").c_str(), 0600);
  const auto r = s5j({"volumes", "list", "-c", dir_ + "/config.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, mount_point(1) + ": own filesystem (" + b.path() + ")")) << r.out;
  // A plain directory: on the root filesystem here, else not a mount point.
  EXPECT_TRUE(contains(r.out, mount_point(2) + ": WARNING: staging volume " + mount_point(2) + " is ")) << r.out;
  ASSERT_EQ(s5j({"volumes", "unmount", "--mount-base", base_}).exit_code, 0);
}

}  // namespace
}  // namespace s5j::volumes_test
