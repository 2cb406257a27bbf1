#include "volumes/setup_plan.h"

#include <gtest/gtest.h>

#include "unit/volumes/inventory_builder.h"

namespace s5j::volumes {
namespace {

using test::blank_disk;
using test::s5j_volume;

std::function<std::string()> uuids() {
  auto n = std::make_shared<int>(0);
  return [n] { return "11111111-2222-4333-8444-00000000000" + std::to_string(++*n); };
}

std::vector<std::string> mount_points(const std::vector<VolumePlan>& plans) {
  std::vector<std::string> out;
  for (const auto& p : plans) out.push_back(p.mount_point);
  return out;
}

std::vector<std::string> step_texts(const VolumePlan& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan.steps) out.push_back(s.text());
  return out;
}

TEST(SetupPlan, UsedNumbersComeFromPathsUnderTheBaseOnly) {
  const auto used = used_numbers("/tmp/volume-", {"/", "/tmp/volume-01", "/tmp/volume-03/", "/tmp/volume-7",
                                                  "/tmp/volume-100", "/tmp/volume-00", "/mnt/volume-02",
                                                  "/tmp/volume-05x", "/tmp/volume-99"});
  EXPECT_EQ(used, (std::set<int>{1, 3, 99}));
}

TEST(SetupPlan, FstabLinesOfDisksThatAreGoneFreeTheirNumbers) {
  auto present = s5j_volume("nvme1n1", 1);
  Inventory inv{{present}};
  const std::string fstab = "UUID=aaaa / ext4 defaults 0 1\n"
                            "UUID=" + present.uuid + " /tmp/volume-01 ext4 defaults 0 2\n"
                            "UUID=gone-after-stop-start /tmp/volume-02 ext4 defaults 0 2\n"
                            "/dev/sdz /tmp/volume-03 ext4 defaults 0 2\n";
  // (The / line is dropped too, no device here has aaaa: only paths under the base give numbers.)
  EXPECT_EQ(used_numbers("/tmp/volume-", fstab_paths_in_use(inv, fstab)), (std::set<int>{1, 3}));
}

TEST(SetupPlan, NewVolumesTakeTheLowestFreeNumbers) {
  const auto a = blank_disk("nvme1n1"), b = blank_disk("nvme2n1"), c = blank_disk("nvme3n1");
  auto plans = plan_setup({&a, &b, &c}, {.mount_base = "/tmp/volume-"}, {1, 3}, uuids());
  ASSERT_TRUE(plans.has_value());
  EXPECT_EQ(mount_points(*plans), (std::vector<std::string>{"/tmp/volume-02", "/tmp/volume-04", "/tmp/volume-05"}));
  EXPECT_EQ((*plans)[0].label, "s5j-vol-02");
  EXPECT_EQ((*plans)[0].action, VolumeAction::format);
}

TEST(SetupPlan, Ext4StepsAreExactAndTheFstabLineCarriesTheNewUuid) {
  const auto a = blank_disk("nvme1n1");
  auto plans = plan_setup({&a},
                          {.mount_base = "/mnt/stage-", .owner = Owner{1000, 1000, "ubuntu:ubuntu"},
                           .fstab = "/etc/fstab"},
                          {}, uuids());
  ASSERT_TRUE(plans.has_value());
  EXPECT_EQ(step_texts((*plans)[0]),
            (std::vector<std::string>{
                "mkfs.ext4 -q -L s5j-vol-01 -U 11111111-2222-4333-8444-000000000001 -m 0 -E "
                "lazy_itable_init=1,lazy_journal_init=1 /dev/nvme1n1",
                "mkdir -p /mnt/stage-01", "mount -t ext4 -o noatime /dev/nvme1n1 /mnt/stage-01",
                "chown ubuntu:ubuntu /mnt/stage-01",
                "add to /etc/fstab: UUID=11111111-2222-4333-8444-000000000001 /mnt/stage-01 ext4 "
                "defaults,noatime,nofail,x-systemd.device-timeout=10s 0 2"}));
  EXPECT_EQ((*plans)[0].steps[0].argv.front(), "mkfs.ext4");
}

TEST(SetupPlan, XfsAndWipe) {
  auto a = blank_disk("xvdf");
  a.fs_type = "ntfs";
  auto plans = plan_setup({&a}, {.mount_base = "/tmp/volume-", .fs = FsKind::xfs, .wipe = {"xvdf"}}, {}, uuids());
  ASSERT_TRUE(plans.has_value());
  EXPECT_TRUE((*plans)[0].wipe);
  EXPECT_EQ(step_texts((*plans)[0]),
            (std::vector<std::string>{"wipefs --all --quiet /dev/xvdf",
                                      "mkfs.xfs -q -L s5j-vol-01 -m uuid=11111111-2222-4333-8444-000000000001 /dev/xvdf",
                                      "mkdir -p /tmp/volume-01", "mount -t xfs -o noatime /dev/xvdf /tmp/volume-01"}));
  EXPECT_NE((*plans)[0].summary().find("ERASE everything on it"), std::string::npos);
}

TEST(SetupPlan, S5jVolumeIsMountedAgainAtItsLabelsNumberWithoutFormatting) {
  const auto fresh = blank_disk("nvme1n1");
  const auto old = s5j_volume("nvme2n1", 1);
  auto plans = plan_setup({&fresh, &old}, {.mount_base = "/tmp/volume-"}, {}, uuids());
  ASSERT_TRUE(plans.has_value());
  // The old volume keeps 01 although it was named second.
  EXPECT_EQ(mount_points(*plans), (std::vector<std::string>{"/tmp/volume-02", "/tmp/volume-01"}));
  EXPECT_EQ((*plans)[1].action, VolumeAction::mount_existing);
  EXPECT_EQ(step_texts((*plans)[1]),
            (std::vector<std::string>{"mkdir -p /tmp/volume-01", "mount -t ext4 -o noatime /dev/nvme2n1 /tmp/volume-01"}));
}

TEST(SetupPlan, S5jVolumeWhoseNumberIsTakenGetsAnother) {
  const auto old = s5j_volume("nvme2n1", 1);
  auto plans = plan_setup({&old}, {.mount_base = "/tmp/volume-"}, {1, 2}, uuids());
  ASSERT_TRUE(plans.has_value());
  EXPECT_EQ((*plans)[0].mount_point, "/tmp/volume-03");
  EXPECT_EQ((*plans)[0].label, "s5j-vol-01");  // the label is not rewritten
}

TEST(SetupPlan, WipedS5jVolumeIsFormattedAgain) {
  const auto old = s5j_volume("nvme2n1", 4);
  auto plans = plan_setup({&old}, {.mount_base = "/tmp/volume-", .wipe = {"nvme2n1"}}, {}, uuids());
  ASSERT_TRUE(plans.has_value());
  EXPECT_EQ((*plans)[0].action, VolumeAction::format);
  EXPECT_EQ((*plans)[0].mount_point, "/tmp/volume-01");
}

TEST(SetupPlan, AlreadyMountedS5jVolumeOnlyGetsItsFstabLine) {
  auto mounted = s5j_volume("nvme2n1", 2);
  mounted.mount_points = {"/tmp/volume-02"};
  auto plans = plan_setup({&mounted}, {.mount_base = "/tmp/volume-", .fstab = "/etc/fstab"}, {2}, uuids());
  ASSERT_TRUE(plans.has_value());
  EXPECT_EQ((*plans)[0].action, VolumeAction::already_mounted);
  ASSERT_EQ((*plans)[0].steps.size(), 1u);
  EXPECT_EQ((*plans)[0].steps[0].kind, StepKind::add_fstab_line);
}

TEST(SetupPlan, NumbersRunOut) {
  std::set<int> all;
  for (int n = 1; n <= 99; ++n) all.insert(n);
  const auto a = blank_disk("nvme1n1");
  auto plans = plan_setup({&a}, {.mount_base = "/tmp/volume-"}, all, uuids());
  ASSERT_FALSE(plans.has_value());
  EXPECT_NE(plans.error().message.find("are all taken"), std::string::npos);
}

TEST(SetupPlan, UnmountPlansOnlyS5jVolumesUnderTheBase) {
  auto a = s5j_volume("nvme1n1", 1);
  a.mount_points = {"/tmp/volume-01"};
  auto b = s5j_volume("nvme2n1", 2);
  b.mount_points = {"/data/other"};  // s5j's, but not under the base
  auto c = blank_disk("nvme3n1");
  c.fs_type = "ext4";
  c.mount_points = {"/tmp/volume-03"};  // under the base, but not s5j's
  Inventory inv{{a, b, c}};
  const auto plans = plan_unmount(inv, "/tmp/volume-", "/etc/fstab");
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(step_texts(plans[0]),
            (std::vector<std::string>{"umount /tmp/volume-01", "rmdir /tmp/volume-01",
                                      "remove from /etc/fstab: the lines of UUID=" + a.uuid + " or /tmp/volume-01"}));
  EXPECT_EQ(plan_unmount(inv, "/tmp/volume-", "")[0].steps.size(), 2u);
}

TEST(SetupPlan, MountBaseMustBeAbsoluteWithoutWhiteSpace) {
  EXPECT_TRUE(validate_mount_base("/tmp/volume-").has_value());
  EXPECT_FALSE(validate_mount_base("volume-").has_value());
  EXPECT_FALSE(validate_mount_base("/tmp/my volume-").has_value());
  EXPECT_FALSE(validate_mount_base("/tmp/").has_value());
  EXPECT_FALSE(validate_mount_base("").has_value());
}

TEST(SetupPlan, DryRunTextQuotesWhatAShellWouldSplit) {
  Step s{.kind = StepKind::run, .argv = {"mount", "-o", "a b", "it's"}};
  EXPECT_EQ(s.text(), "mount -o 'a b' 'it'\\''s'");
}

}  // namespace
}  // namespace s5j::volumes
