// The staging checks of `stage`/`relay` and `check`: a staging volume that
// is a plain directory (on the root disk here) gets a warning, or with
// staging.require_mounts: true a refusal (exit 11) before anything is
// contacted or staged; a volume that is a disk of its own (a loop device mounted by
// `s5j volumes setup`) passes. The S3 sides are unreachable on purpose
// (127.0.0.1:1): a run that passes the check then stops at the source's
// probe (exit 7), which shows the check let it through.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "block_devices/volume_fixture.h"

namespace s5j::volumes_test {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class StagingMountCheck : public VolumeTest {
 protected:
  std::string config(bool require_mounts) {
    const std::string path = dir_ + "/config.yaml";
    write(path, "job:\n  mode: relay\n"
                "source:\n  bucket: a\n  endpoint_urls: [http://127.0.0.1:1]\n  access_key: AKIAEXAMPLE\n"
                "  secret_access_key: x\ndestination:\n  bucket: b\n  endpoint_urls: [http://127.0.0.1:1]\n"
                "  access_key: AKIAEXAMPLE\n  secret_access_key: x\ntransfer:\n  max_attempts: 1\n"
                "staging:\n  volume_pattern: " + base_ + "\n  reserve: 0\n" +
                    (require_mounts ? "  require_mounts: true\n" : ""));
    ::chmod(path.c_str(), 0600);
    return path;
  }
};

TEST_F(StagingMountCheck, PlainDirectoryIsRefusedWithRequireMountsAndReportedByCheck) {
  std::filesystem::create_directories(mount_point(1));
  // Without require_mounts the run goes on to its sides; one that fails
  // there prints its one error line, no warning (the warning comes once the
  // sides answered: volumes_relay_test).
  auto r = s5j({"stage", "--once", "--no-progress", "-c", config(false)});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  for (const std::string command : {"stage", "relay"}) {
    r = s5j({command, "--once", "--no-progress", "-c", config(true)});
    EXPECT_EQ(r.exit_code, 11) << command << ": " << r.err;  // before the unreachable sides are tried
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(contains(r.err, "s5j: refused (staging.require_mounts: true): staging volume " + mount_point(1)))
        << r.err;
    EXPECT_TRUE(contains(r.err, "s5j volumes setup")) << r.err;
    EXPECT_FALSE(std::filesystem::exists(mount_point(1) + "/s5j-staging")) << "nothing may be staged";
  }
  // drain only reads what is staged: not checked.
  r = s5j({"drain", "--once", "--no-progress", "-c", config(true)});
  EXPECT_EQ(r.exit_code, 7) << r.err;

  // check: the volume with its warning, or its failure.
  r = s5j({"check", "-c", config(false)});
  EXPECT_TRUE(contains(r.out, "    warning: staging volume " + mount_point(1) + " is ")) << r.out;
  r = s5j({"check", "-c", config(true)});
  EXPECT_TRUE(contains(r.out, "FAILED: refused (staging.require_mounts: true)")) << r.out;
}

TEST_F(StagingMountCheck, VolumeOfItsOwnPasses) {
  auto& disk = device(200 * kMiB);
  ASSERT_EQ(s5j({"volumes", "setup", "--device", disk.path(), "--mount-base", base_, "--min-size", "64MiB", "--yes"})
                .exit_code,
            0);
  const auto r = s5j({"stage", "--once", "--no-progress", "-c", config(true)});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_FALSE(contains(r.err, "warning: staging volume")) << r.err;
  EXPECT_FALSE(contains(r.err, "require_mounts")) << r.err;
  ASSERT_EQ(s5j({"volumes", "unmount", "--mount-base", base_}).exit_code, 0);
}

}  // namespace
}  // namespace s5j::volumes_test
