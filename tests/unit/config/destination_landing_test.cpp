// The destination's landing keys: storage_class, sse, sse_kms_key_id, tags,
// acl, metadata. Each is read into SideConfig::landing, checked with a
// one-line message naming the fix, and refused on the source.
#include <string>

#include "config_test_fixture.h"

namespace s5j::config {
namespace {

class LandingTest : public ConfigTest {
 protected:
  // kMinimal with `extra` lines under "destination:" (line 6 on).
  static std::string with_destination(const std::string& extra) {
    const std::string head = "destination:\n";
    const size_t at = kMinimal.find(head) + head.size();
    return kMinimal.substr(0, at) + extra + kMinimal.substr(at);
  }
};

TEST_F(LandingTest, DefaultsSendNothingAndCopyMetadata) {
  auto cfg = parse(kMinimal);
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message;
  const LandingConfig& l = cfg->destination.landing;
  EXPECT_EQ(l.storage_class, "");
  EXPECT_EQ(l.sse, "");
  EXPECT_EQ(l.sse_kms_key_id, "");
  EXPECT_TRUE(l.tags.empty());
  EXPECT_EQ(l.acl, "");
  EXPECT_EQ(l.metadata, MetadataMode::copy);
}

TEST_F(LandingTest, EveryKeyIsRead) {
  auto cfg = parse(with_destination("  storage_class: STANDARD_IA\n"
                                    "  sse: aws:kms\n"
                                    "  sse_kms_key_id: alias/survey\n"
                                    "  tags:\n"
                                    "    project: survey 2024\n"
                                    "    team: geo\n"
                                    "  acl: bucket-owner-full-control\n"
                                    "  metadata:\n"
                                    "    Content-Type: text/csv\n"
                                    "    cache-control: max-age=60\n"
                                    "    origin: forward edge\n"
                                    "    x-amz-meta-run: 42\n"));
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message;
  const LandingConfig& l = cfg->destination.landing;
  EXPECT_EQ(l.storage_class, "STANDARD_IA");
  EXPECT_EQ(l.sse, "aws:kms");
  EXPECT_EQ(l.sse_kms_key_id, "alias/survey");
  const std::vector<std::pair<std::string, std::string>> tags = {{"project", "survey 2024"}, {"team", "geo"}};
  EXPECT_EQ(l.tags, tags);
  EXPECT_EQ(l.acl, "bucket-owner-full-control");
  EXPECT_EQ(l.metadata, MetadataMode::given);
  const std::vector<std::pair<std::string, std::string>> headers = {{"content-type", "text/csv"},
                                                                    {"cache-control", "max-age=60"},
                                                                    {"x-amz-meta-origin", "forward edge"},
                                                                    {"x-amz-meta-run", "42"}};
  EXPECT_EQ(l.metadata_headers, headers);
}

TEST_F(LandingTest, SpellingsAreNormalised) {
  auto cfg = parse(with_destination("  sse: aes256\n  acl: Private\n  metadata: NONE\n  storage_class: MY_TIER-2\n"));
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message;
  EXPECT_EQ(cfg->destination.landing.sse, "AES256");
  EXPECT_EQ(cfg->destination.landing.acl, "private");
  EXPECT_EQ(cfg->destination.landing.metadata, MetadataMode::none);
  EXPECT_EQ(cfg->destination.landing.storage_class, "MY_TIER-2");  // an appliance's own class
}

TEST_F(LandingTest, StorageClassMustBeUpperCase) {
  EXPECT_HAS(error_of(with_destination("  storage_class: standard_ia\n")),
             "config.yaml:6: destination.storage_class is spelt in upper case: write 'STANDARD_IA' instead of "
             "'standard_ia'");
  EXPECT_HAS(error_of(with_destination("  storage_class: cold tier\n")),
             "must be an upper-case storage class: one of AWS's (STANDARD, REDUCED_REDUNDANCY");
}

TEST_F(LandingTest, EncryptionValuesAndTheKmsKeyRule) {
  EXPECT_HAS(error_of(with_destination("  sse: kms\n")),
             "destination.sse must be one of AES256, aws:kms, got 'kms' (AES256: SSE-S3; aws:kms: SSE-KMS)");
  EXPECT_HAS(error_of(with_destination("  sse_kms_key_id: alias/x\n")),
             "config.yaml:6: destination.sse_kms_key_id needs 'sse: aws:kms' in destination");
  EXPECT_HAS(error_of(with_destination("  sse: AES256\n  sse_kms_key_id: alias/x\n")),
             "config.yaml:7: destination.sse_kms_key_id needs 'sse: aws:kms'");
  EXPECT_HAS(error_of(with_destination("  sse: aws:kms\n  sse_kms_key_id: alias/a b\n")), "without spaces");
}

TEST_F(LandingTest, TagsKeepS3sLimits) {
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "    t" + std::to_string(i) + ": v\n";
  EXPECT_HAS(error_of(with_destination("  tags:\n" + eleven)),
             "destination.tags has 11 tags; S3 allows at most 10 per object");
  EXPECT_HAS(error_of(with_destination("  tags:\n    " + std::string(129, 'k') + ": v\n")),
             "has a name longer than S3's 128 characters");
  EXPECT_HAS(error_of(with_destination("  tags:\n    k: " + std::string(257, 'v') + "\n")),
             "tag 'k' has a value longer than S3's 256 characters");
  // 128 characters of two bytes each are within the limit: S3 counts characters.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "\xc3\xa9";
  EXPECT_TRUE(parse(with_destination("  tags:\n    " + wide + ": v\n")).has_value());
  EXPECT_HAS(error_of(with_destination("  tags:\n    aws:owner: me\n")), "uses the prefix 'aws:', which AWS reserves");
  EXPECT_HAS(error_of(with_destination("  tags: project\n")),
             "destination.tags must be name: value lines indented under it, not a single value");
  EXPECT_HAS(error_of(with_destination("  tags:\n    k: [a, b]\n")), "destination.tags.k must be a single value");
}

TEST_F(LandingTest, AclIsACannedAcl) {
  EXPECT_HAS(error_of(with_destination("  acl: public\n")),
             "destination.acl must be one of S3's canned ACLs (private, public-read, public-read-write, "
             "authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control), got 'public'");
}

TEST_F(LandingTest, MetadataIsCopyNoneOrAMap) {
  EXPECT_HAS(error_of(with_destination("  metadata: keep\n")),
             "destination.metadata must be one of copy, none, got 'keep', or name: value lines");
  EXPECT_HAS(error_of(with_destination("  metadata:\n    x-amz-acl: private\n")),
             "name 'x-amz-acl' is no metadata S3 stores");
  EXPECT_HAS(error_of(with_destination("  metadata:\n    content-md5: abc\n")), "is no metadata S3 stores");
  EXPECT_HAS(error_of(with_destination("  metadata:\n    \"a b\": c\n")), "name 'a b' must be letters, digits");
  EXPECT_HAS(error_of(with_destination("  metadata:\n    origin: \"caf\xc3\xa9\"\n")), "must be printable ASCII");
  EXPECT_HAS(error_of(with_destination("  metadata:\n    origin: a\n    x-amz-meta-origin: b\n")),
             "names 'x-amz-meta-origin' twice; keep one");
  EXPECT_HAS(error_of(with_destination("  metadata:\n    big: " + std::string(2100, 'x') + "\n")),
             "S3 allows at most 2 KiB");
}

TEST_F(LandingTest, LandingKeysOnTheSourceSayWhereTheyBelong) {
  for (const char* key : {"storage_class", "sse", "sse_kms_key_id", "tags", "acl", "metadata"}) {
    EXPECT_HAS(error_of(with_source("  " + std::string(key) + ": x\n")),
               "config.yaml:2: unknown key '" + std::string(key) + "' in source ('" + key +
                   "' says how objects land: it belongs in section 'destination')");
  }
}

}  // namespace
}  // namespace s5j::config
