#include "config/units.h"

#include <gtest/gtest.h>

namespace s5j::config {
namespace {

TEST(ParseByteSize, PlainNumbersAreBytes) {
  EXPECT_EQ(parse_byte_size("0").value(), 0u);
  EXPECT_EQ(parse_byte_size("16777216").value(), 16777216u);
  EXPECT_EQ(parse_byte_size(" 42 ").value(), 42u);
  EXPECT_EQ(parse_byte_size("18446744073709551615").value(), 18446744073709551615ull);
}

TEST(ParseByteSize, IecUnitsArePowersOf1024InAnyCase) {
  EXPECT_EQ(parse_byte_size("16MiB").value(), 16ull << 20);
  EXPECT_EQ(parse_byte_size("16 MiB").value(), 16ull << 20);
  EXPECT_EQ(parse_byte_size("5gib").value(), 5ull << 30);
  EXPECT_EQ(parse_byte_size("1KiB").value(), 1024u);
  EXPECT_EQ(parse_byte_size("2TiB").value(), 2ull << 40);
  EXPECT_EQ(parse_byte_size("1.5GiB").value(), 3ull << 29);
}

TEST(ParseByteSize, SiUnitsArePowersOf1000) {
  EXPECT_EQ(parse_byte_size("64MB").value(), 64'000'000u);
  EXPECT_EQ(parse_byte_size("1kB").value(), 1000u);
  EXPECT_EQ(parse_byte_size("1KB").value(), 1000u);
  EXPECT_EQ(parse_byte_size("2GB").value(), 2'000'000'000u);
  EXPECT_EQ(parse_byte_size("1TB").value(), 1'000'000'000'000u);
  EXPECT_EQ(parse_byte_size("10B").value(), 10u);
}

TEST(ParseByteSize, RejectsNonsenseWithAHint) {
  EXPECT_FALSE(parse_byte_size("abc").has_value());
  EXPECT_FALSE(parse_byte_size("").has_value());
  EXPECT_NE(parse_byte_size("-5").error().find("negative"), std::string::npos);
  EXPECT_NE(parse_byte_size("16M").error().find("ambiguous"), std::string::npos);
  EXPECT_NE(parse_byte_size("16Mb").error().find("ambiguous"), std::string::npos);
  EXPECT_NE(parse_byte_size("16mb").error().find("ambiguous"), std::string::npos);
  EXPECT_NE(parse_byte_size("16XB").error().find("unknown unit"), std::string::npos);
  EXPECT_NE(parse_byte_size("1.5").error().find("needs a unit"), std::string::npos);
  EXPECT_NE(parse_byte_size("99999999999TiB").error().find("too large"), std::string::npos);
  EXPECT_NE(parse_byte_size("99999999999999999999").error().find("too large"), std::string::npos);
  EXPECT_FALSE(parse_byte_size("800Mbit").has_value()) << "bits are for bandwidths only";
  EXPECT_FALSE(parse_byte_size("1.2.3MiB").has_value());
}

TEST(ParseBandwidth, AcceptsSizesAndBitRates) {
  EXPECT_EQ(parse_bandwidth("1048576").value(), 1048576u);
  EXPECT_EQ(parse_bandwidth("100MiB").value(), 100ull << 20);
  EXPECT_EQ(parse_bandwidth("100MiB/s").value(), 100ull << 20);
  EXPECT_EQ(parse_bandwidth("800Mbit").value(), 100'000'000u);
  EXPECT_EQ(parse_bandwidth("1Gbit/s").value(), 125'000'000u);
  EXPECT_EQ(parse_bandwidth("1.5gbit").value(), 187'500'000u);
  EXPECT_EQ(parse_bandwidth("64Kbit").value(), 8000u);
  EXPECT_EQ(parse_bandwidth("0").value(), 0u);
  EXPECT_NE(parse_bandwidth("100Mb").error().find("Mbit"), std::string::npos);
  EXPECT_FALSE(parse_bandwidth("fast").has_value());
}

}  // namespace
}  // namespace s5j::config
