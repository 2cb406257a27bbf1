// The pure parts of `s5j check`'s capabilities: the sorted-listing verdict
// on hostile keys, what the configuration alone decides, and the report's
// shape (every feature, in order, as JSON and as text).
#include "cli/check_capabilities.h"

#include <gtest/gtest.h>

namespace s5j::cli {
namespace {

using enum CapabilityState;

TEST(SortedListing, FewerThanTwoKeysIsUnknown) {
  EXPECT_EQ(sorted_listing_capability({}).state, unknown);
  EXPECT_EQ(sorted_listing_capability({"only"}).state, unknown);
}

TEST(SortedListing, ByteOrderIsUnsignedNotLocaleOrCaseOrder) {
  // S3's order: 'B' (0x42) < 'a' (0x61) < 0x7f < UTF-8 (0xc3...) < 0xff.
  EXPECT_EQ(sorted_listing_capability({"B", "a", "a\x7f", "\xc3\xa9", "\xff"}).state, supported);
  // A signed-char comparison would put 0xc3 before 'a'.
  const auto c = sorted_listing_capability({"a", "\xc3\xa9", "b"});
  EXPECT_EQ(c.state, unsupported);
  EXPECT_NE(c.detail.find("key 3"), std::string::npos) << c.detail;
}

TEST(SortedListing, PrefixSortsBeforeItsExtensionsAndNulBytesCount) {
  EXPECT_EQ(sorted_listing_capability({"a", "a/", "a/b", "a0"}).state, supported);
  EXPECT_EQ(sorted_listing_capability({std::string("a\0b", 3), std::string("a\x01", 2)}).state, supported);
  EXPECT_EQ(sorted_listing_capability({std::string("a\x01", 2), std::string("a\0b", 3)}).state, unsupported);
}

TEST(SortedListing, RepeatedKeyIsNotStrictlyIncreasing) {
  EXPECT_EQ(sorted_listing_capability({"a", "b", "b"}).state, unsupported);
}

TEST(ConfiguredCapabilities, ChunkedSigningIsNeverProbed) {
  const auto c = chunked_signing_capability();
  EXPECT_EQ(c.feature, "chunked_payload_signing");
  EXPECT_EQ(c.state, not_probed);
  EXPECT_NE(c.detail.find("UNSIGNED-PAYLOAD"), std::string::npos);
}

TEST(ConfiguredCapabilities, PathStyleIsNotProbedVirtualHostIsWhatAnswered) {
  config::SideConfig side;
  side.bucket = "b";
  EXPECT_EQ(virtual_host_capability(side, true).state, not_probed);
  side.addressing = config::Addressing::virtual_hosted;
  EXPECT_EQ(virtual_host_capability(side, true).state, supported);
  EXPECT_EQ(virtual_host_capability(side, false).state, unknown);
}

TEST(CapabilitiesReport, EveryFeatureInOrderAsJsonAndText) {
  Capabilities caps;
  caps.set("ranged_get", supported, "206 with 1 byte");
  const auto j = caps.to_json();
  ASSERT_EQ(j.size(), std::size(kCapabilityFeatures));
  size_t i = 0;
  for (const auto& [name, entry] : j.items()) {
    EXPECT_EQ(name, kCapabilityFeatures[i++]);
    EXPECT_TRUE(entry.contains("state") && entry.contains("detail")) << name;
  }
  EXPECT_EQ(j["ranged_get"]["state"], "supported");
  EXPECT_EQ(j["list_objects_v2"]["state"], "unknown");

  const auto text = caps.to_text();
  EXPECT_LT(text.find("list_objects_v2"), text.find("sorted_listing"));
  EXPECT_LT(text.find("chunked_payload_signing"), text.find("virtual_host_addressing"));
  EXPECT_NE(text.find("ranged_get"), std::string::npos);
  EXPECT_NE(text.find("206 with 1 byte"), std::string::npos);
}

TEST(CapabilitiesReport, UnknownFeatureNameIsAProgrammingError) {
  Capabilities caps;
  EXPECT_THROW(caps.set("teleportation", supported, ""), std::logic_error);
}

}  // namespace
}  // namespace s5j::cli
