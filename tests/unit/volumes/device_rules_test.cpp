#include "volumes/device_rules.h"

#include <gtest/gtest.h>

#include "unit/volumes/inventory_builder.h"

namespace s5j::volumes {
namespace {

using test::blank_disk;
using test::partition_of;
using test::s5j_volume;

const BlockDevice& dev(const Inventory& inv, const std::string& name) { return *inv.by_name(name); }

std::string refusal(const Inventory& inv, const std::string& name, SetupRules rules = {}) {
  return refusal_for(inv, dev(inv, name), rules).value_or("");
}

TEST(DeviceRules, BlankWholeDiskIsFreeAndAccepted) {
  Inventory inv{{blank_disk("nvme1n1")}};
  EXPECT_EQ(classify(inv, dev(inv, "nvme1n1")).state, DeviceState::free);
  EXPECT_FALSE(refusal_for(inv, dev(inv, "nvme1n1"), {}).has_value());
}

TEST(DeviceRules, DiskHoldingRootIsRefusedEvenWithWipe) {
  BlockDevice disk = blank_disk("nvme0n1");
  disk.partition_table = "gpt";
  BlockDevice root = partition_of(disk, 1);
  root.fs_type = "ext4";
  root.root = true;
  root.mount_points = {"/"};
  Inventory inv{{disk, root}};
  EXPECT_EQ(classify(inv, dev(inv, "nvme0n1")).state, DeviceState::in_use);
  const auto r = refusal(inv, "nvme0n1", {.wipe = {"nvme0n1"}});
  EXPECT_EQ(r, "/dev/nvme0n1 holds / (the root filesystem) (through /dev/nvme0n1p1) (name another device: see s5j "
               "volumes list)");
}

TEST(DeviceRules, WholeDiskRootWithoutPartitions) {
  BlockDevice vda = blank_disk("vda");
  vda.fs_type = "ext4";
  vda.root = true;
  vda.mount_points = {"/"};
  Inventory inv{{vda}};
  EXPECT_TRUE(refusal(inv, "vda").starts_with("/dev/vda holds / (the root filesystem)"));
}

TEST(DeviceRules, SwapAndMountedAndHeldAreRefusedEvenWithWipe) {
  BlockDevice swap = blank_disk("xvdb");
  swap.fs_type = "swap";
  swap.swap = true;
  BlockDevice mounted = blank_disk("xvdc");
  mounted.fs_type = "xfs";
  mounted.mount_points = {"/data"};
  BlockDevice lvm = blank_disk("xvdd");
  lvm.fs_type = "LVM2_member";
  lvm.holders = {"dm-0"};
  BlockDevice dm = blank_disk("dm-0");
  dm.type = DeviceType::device_mapper;
  Inventory inv{{swap, mounted, lvm, dm}};
  const SetupRules wipe_all{.wipe = {"xvdb", "xvdc", "xvdd"}};
  EXPECT_TRUE(refusal(inv, "xvdb", wipe_all).starts_with("/dev/xvdb is in use as swap")) << refusal(inv, "xvdb");
  EXPECT_TRUE(refusal(inv, "xvdc", wipe_all).starts_with("/dev/xvdc is mounted at /data (unmount it first"));
  EXPECT_TRUE(refusal(inv, "xvdd", wipe_all).starts_with("/dev/xvdd is in use by /dev/dm-0"));
}

TEST(DeviceRules, PartitionOfAMountedDiskMakesTheDiskMounted) {
  BlockDevice disk = blank_disk("sdb");
  disk.partition_table = "dos";
  BlockDevice part = partition_of(disk, 1);
  part.fs_type = "ext4";
  part.mount_points = {"/srv"};
  Inventory inv{{disk, part}};
  EXPECT_EQ(refusal(inv, "sdb", {.wipe = {"sdb"}}),
            "/dev/sdb is mounted at /srv (through /dev/sdbp1) (unmount it first if it may be erased, or name another "
            "device)");
}

TEST(DeviceRules, PartitionTableAndForeignFilesystemNeedWipe) {
  BlockDevice gpt = blank_disk("nvme2n1");
  gpt.partition_table = "gpt";
  BlockDevice xfs = blank_disk("nvme3n1");
  xfs.fs_type = "xfs";
  xfs.label = "backup";
  BlockDevice mixed = blank_disk("nvme4n1");
  mixed.several_signatures = true;
  Inventory inv{{gpt, xfs, mixed}};
  EXPECT_EQ(refusal(inv, "nvme2n1"), "/dev/nvme2n1 has a gpt partition table (its data would be lost: to erase it, "
                                     "name it again with --wipe /dev/nvme2n1)");
  EXPECT_EQ(refusal(inv, "nvme3n1"), "/dev/nvme3n1 holds a signature of type xfs, labelled 'backup' (its data would "
                                     "be lost: to erase it, name it again with --wipe /dev/nvme3n1)");
  EXPECT_TRUE(refusal(inv, "nvme4n1").starts_with("/dev/nvme4n1 holds several signatures"));
  const SetupRules wipe{.wipe = {"nvme2n1", "nvme3n1", "nvme4n1"}};
  EXPECT_EQ(refusal(inv, "nvme2n1", wipe), "");
  EXPECT_EQ(refusal(inv, "nvme3n1", wipe), "");
  EXPECT_EQ(refusal(inv, "nvme4n1", wipe), "");
  EXPECT_EQ(classify(inv, dev(inv, "nvme3n1")).state, DeviceState::in_use);
}

TEST(DeviceRules, PartitionReadOnlySmallAndUnprobedAreRefused) {
  BlockDevice disk = blank_disk("sdc");
  disk.partition_table = "gpt";
  BlockDevice part = partition_of(disk, 1);
  BlockDevice ro = blank_disk("sdd");
  ro.read_only = true;
  BlockDevice small = blank_disk("sde", 512ull << 20);
  BlockDevice unprobed = blank_disk("sdf");
  unprobed.probed = false;
  unprobed.probe_error = "cannot read it: Permission denied (run as root)";
  Inventory inv{{disk, part, ro, small, unprobed}};
  EXPECT_TRUE(refusal(inv, "sdcp1").starts_with("/dev/sdcp1 is a partition of /dev/sdc (s5j formats whole disks"));
  EXPECT_TRUE(refusal(inv, "sdd").starts_with("/dev/sdd is read-only"));
  EXPECT_EQ(refusal(inv, "sde"), "/dev/sde is 512.0 MiB, smaller than the minimum of 1.0 GiB (name a larger device, "
                                 "or lower --min-size)");
  EXPECT_EQ(refusal(inv, "sde", {.minimum_size = 256ull << 20}), "");
  EXPECT_EQ(refusal(inv, "sdf"), "/dev/sdf cannot be probed: cannot read it: Permission denied (run as root)");
}

TEST(DeviceRules, S5jVolumeIsAcceptedMountedOrNot) {
  BlockDevice unmounted = s5j_volume("nvme1n1", 3);
  BlockDevice mounted = s5j_volume("nvme2n1", 1, "xfs");
  mounted.mount_points = {"/tmp/volume-01"};
  Inventory inv{{unmounted, mounted}};
  EXPECT_EQ(classify(inv, dev(inv, "nvme1n1")).state, DeviceState::s5j_volume);
  EXPECT_EQ(classify(inv, dev(inv, "nvme2n1")).state, DeviceState::s5j_volume);
  EXPECT_EQ(refusal(inv, "nvme1n1"), "");
  EXPECT_EQ(refusal(inv, "nvme2n1"), "");
  EXPECT_EQ(dev(inv, "nvme1n1").label_number(), 3);
}

TEST(DeviceRules, LabelMatchingNeedsExt4OrXfsAndTheExactPrefix) {
  BlockDevice vfat = s5j_volume("sdb", 1);
  vfat.fs_type = "vfat";
  BlockDevice other = blank_disk("sdc");
  other.fs_type = "ext4";
  other.label = "s5j-volume";  // not s5j-vol-NN
  BlockDevice partitioned = s5j_volume("sdd", 2);
  partitioned.partition_table = "gpt";
  EXPECT_FALSE(vfat.is_s5j_volume());
  EXPECT_FALSE(other.is_s5j_volume());
  EXPECT_FALSE(partitioned.is_s5j_volume());
  BlockDevice bad_number = s5j_volume("sde", 1);
  bad_number.label = "s5j-vol-x1";
  EXPECT_FALSE(bad_number.is_s5j_volume());
  bad_number.label = "s5j-vol-00";
  EXPECT_FALSE(bad_number.is_s5j_volume());
  bad_number.label = "s5j-vol-099";
  EXPECT_FALSE(bad_number.is_s5j_volume());
  bad_number.label = "s5j-vol-42";
  EXPECT_EQ(bad_number.label_number(), 42);
}

TEST(DeviceRules, AllFreeSkipsLoopRamAndUsedDevices) {
  BlockDevice loop = blank_disk("loop0");
  BlockDevice ram = blank_disk("ram0");
  ram.type = DeviceType::ram;
  BlockDevice zram = blank_disk("zram0");
  zram.type = DeviceType::zram;
  BlockDevice used = blank_disk("nvme1n1");
  used.fs_type = "ext4";
  BlockDevice mounted_s5j = s5j_volume("nvme2n1", 1);
  mounted_s5j.mount_points = {"/tmp/volume-01"};
  BlockDevice small = blank_disk("nvme5n1", 1 << 20);
  Inventory inv{{loop, ram, zram, used, mounted_s5j, blank_disk("nvme3n1"), s5j_volume("nvme4n1", 2), small}};
  std::vector<std::string> picked;
  for (const auto* d : pick_all_free(inv, {})) picked.push_back(d->name);
  EXPECT_EQ(picked, (std::vector<std::string>{"nvme3n1", "nvme4n1"}));
}

}  // namespace
}  // namespace s5j::volumes
