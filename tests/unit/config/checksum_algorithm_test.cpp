// destination.checksum_algorithm: none (the default), crc32c or crc64nvme;
// another value or the key in `source` is a one-line error naming the fix.
#include <gtest/gtest.h>

#include "config_test_fixture.h"

namespace s5j::config {
namespace {

class ChecksumAlgorithmConfig : public ConfigTest {};

TEST_F(ChecksumAlgorithmConfig, DefaultsToNone) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->destination.checksum_algorithm, s3::ChecksumAlgorithm::none);
}

TEST_F(ChecksumAlgorithmConfig, TakesEachAlgorithmInAnyCase) {
  for (const auto& [text, want] : {std::pair{"crc32c", s3::ChecksumAlgorithm::crc32c},
                                   std::pair{"CRC64NVME", s3::ChecksumAlgorithm::crc64nvme},
                                   std::pair{"none", s3::ChecksumAlgorithm::none}}) {
    auto c = parse(kMinimal + "  checksum_algorithm: " + text + "\n");
    ASSERT_TRUE(c.has_value()) << text << ": " << c.error().message;
    EXPECT_EQ(c->destination.checksum_algorithm, want) << text;
  }
}

TEST_F(ChecksumAlgorithmConfig, OtherValuesAndTheSourceSideAreErrors) {
  EXPECT_HAS(error_of(kMinimal + "  checksum_algorithm: sha256\n"),
             "destination.checksum_algorithm must be one of none, crc32c, crc64nvme, got 'sha256'");
  EXPECT_HAS(error_of(with_source("  checksum_algorithm: crc32c\n")),
             "source.checksum_algorithm applies to the destination only");
}

}  // namespace
}  // namespace s5j::config
