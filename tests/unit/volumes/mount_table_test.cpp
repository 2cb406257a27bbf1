#include "volumes/mount_table.h"

#include <gtest/gtest.h>

namespace s5j::volumes {
namespace {

TEST(MountTable, ParsesMountinfoWithOptionalFieldsAndEscapes) {
  const auto entries = parse_mountinfo(
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
      "36 35 259:3 / /tmp/volume-01 rw,noatime shared:1 master:2 - xfs /dev/nvme1n1 rw\n"
      "40 27 0:45 / /mnt/my\\040disk rw - tmpfs tmpfs rw\n"
      "garbage line\n"
      "41 27 x:y / /broken rw - ext4 /dev/x rw\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].major, 254u);
  EXPECT_EQ(entries[0].minor, 0u);
  EXPECT_EQ(entries[0].mount_point, "/");
  EXPECT_EQ(entries[1].mount_point, "/tmp/volume-01");
  EXPECT_EQ(entries[1].fs_type, "xfs");
  EXPECT_EQ(entries[1].source, "/dev/nvme1n1");
  EXPECT_EQ(entries[1].major, 259u);
  EXPECT_EQ(entries[1].minor, 3u);
  EXPECT_EQ(entries[2].mount_point, "/mnt/my disk");
}

TEST(MountTable, SwapDevicesArePartitionsOnly) {
  const auto swaps = parse_swap_devices(
      "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
      "/dev/nvme0n1p3                          partition\t8388604\t\t0\t\t-2\n"
      "/swapfile                               file\t\t1048572\t\t0\t\t-3\n");
  EXPECT_EQ(swaps, (std::vector<std::string>{"/dev/nvme0n1p3"}));
}

TEST(MountTable, ReadsThisProcesssTable) {
  auto table = read_mount_table();
  ASSERT_TRUE(table.has_value());
  bool root = false;
  for (const auto& e : *table) root = root || e.mount_point == "/";
  EXPECT_TRUE(root);
}

}  // namespace
}  // namespace s5j::volumes
