#include "volumes/fstab_edit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/test_env.h"

namespace s5j::volumes {
namespace {

const std::string kOriginal =
    "# /etc/fstab: static file system information.\n"
    "UUID=aaaa / ext4 errors=remount-ro 0 1\n"
    "\n"
    "/swapfile none swap sw 0 0\n";
const std::string kLine1 =
    "UUID=1111 /tmp/volume-01 ext4 defaults,noatime,nofail,x-systemd.device-timeout=10s 0 2";
const std::string kLine2 =
    "UUID=2222 /tmp/volume-02 xfs defaults,noatime,nofail,x-systemd.device-timeout=10s 0 2";

TEST(FstabEdit, AddingAppendsOnceAndKeepsEverythingElse) {
  const auto once = fstab_with_line(kOriginal, kLine1);
  EXPECT_EQ(once, kOriginal + kLine1 + "\n");
  EXPECT_EQ(fstab_with_line(once, kLine1), once);
  const auto twice = fstab_with_line(once, kLine2);
  EXPECT_EQ(twice, kOriginal + kLine1 + "\n" + kLine2 + "\n");
}

TEST(FstabEdit, AddingToATextWithoutFinalNewline) {
  EXPECT_EQ(fstab_with_line("UUID=aaaa / ext4 defaults 0 1", kLine1), "UUID=aaaa / ext4 defaults 0 1\n" + kLine1 + "\n");
  EXPECT_EQ(fstab_with_line("", kLine1), kLine1 + "\n");
}

TEST(FstabEdit, SameUuidOrSameMountPointIsReplacedInPlace) {
  const auto with = fstab_with_line(kOriginal, kLine1) + "# after\n";
  const std::string reformatted = "UUID=9999 /tmp/volume-01 ext4 defaults,noatime,nofail 0 2";
  EXPECT_EQ(fstab_with_line(with, reformatted), kOriginal + reformatted + "\n# after\n");
  const std::string moved = "UUID=1111 /tmp/volume-05 ext4 defaults 0 2";
  EXPECT_EQ(fstab_with_line(with, moved), kOriginal + moved + "\n# after\n");
}

TEST(FstabEdit, RemovingTakesOnlyTheNamedLinesAndIsIdempotent) {
  const auto with = fstab_with_line(fstab_with_line(kOriginal, kLine1), kLine2);
  const auto without1 = fstab_without(with, {"UUID=1111"}, {});
  EXPECT_EQ(without1, kOriginal + kLine2 + "\n");
  EXPECT_EQ(fstab_without(without1, {"UUID=1111"}, {}), without1);
  EXPECT_EQ(fstab_without(with, {}, {"/tmp/volume-01", "/tmp/volume-02"}), kOriginal);
  // A comment naming the mount point is not an entry.
  EXPECT_EQ(fstab_without("# UUID=1111 /tmp/volume-01\n", {"UUID=1111"}, {"/tmp/volume-01"}),
            "# UUID=1111 /tmp/volume-01\n");
}

TEST(FstabEdit, MountPointsDecodeEscapes) {
  EXPECT_EQ(fstab_mount_points(kOriginal + "LABEL=x /mnt/my\\040disk ext4 defaults 0 2\n"),
            (std::vector<std::string>{"/", "none", "/mnt/my disk"}));
}

TEST(FstabEdit, FileRoundTripKeepsTheModeAndAMissingFileReadsEmpty) {
  const std::string dir = testing::make_temp_dir("fstab");
  const std::string path = dir + "/fstab";
  auto missing = read_fstab(path);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(*missing, "");
  { std::ofstream(path) << kOriginal; }
  ::chmod(path.c_str(), 0640);
  ASSERT_TRUE(write_fstab(path, kOriginal + kLine1 + "\n").has_value());
  EXPECT_EQ(*read_fstab(path), kOriginal + kLine1 + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1)
      << "a temporary file was left";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace s5j::volumes
