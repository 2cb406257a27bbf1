// Unknown keys (all reported at once, with "did you mean" or the section's
// valid keys), duplicates and a key given together with its alias.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config_test_fixture.h"

namespace s5j::config {
namespace {

// --- Unknown keys and duplicates ------------------------------------------

TEST_F(ConfigTest, UnknownKeyNamesFileLineKeyAndSuggestion) {
  EXPECT_EQ(error_of(with_source("  bucket_prefx: data/\n")),
            "config.yaml:2: unknown key 'bucket_prefx' in source (did you mean 'bucket_prefix'?)");
  EXPECT_EQ(error_of(kMinimal + "transfer:\n  worker: 4\n"),
            "config.yaml:10: unknown key 'worker' in transfer (did you mean 'workers'?)");
  EXPECT_EQ(error_of(kMinimal + "destinaton:\n  bucket: x\n"),
            "config.yaml:9: unknown key 'destinaton' at the top level (did you mean 'destination'?)");
}

TEST_F(ConfigTest, UnknownKeyInTheWrongSectionSaysWhereItBelongs) {
  EXPECT_HAS(error_of(with_source("  workers: 4\n")),
             "config.yaml:2: unknown key 'workers' in source ('workers' belongs in section 'transfer')");
  EXPECT_HAS(error_of(kMinimal + "transfer:\n  bucket: x\n"), "belongs in section 'source/destination'");
}

TEST_F(ConfigTest, UnknownKeyWithoutCloseMatchListsValidKeys) {
  const std::string msg = error_of(kMinimal + "ledger:\n  flavour: sqlite\n");
  EXPECT_HAS(msg, "config.yaml:10: unknown key 'flavour' in ledger (valid keys: path, postgres_url, lease_timeout, unavailable_limit)");
  EXPECT_HAS(error_of(kMinimal + "local:\n  scratch: /tmp\n"), "unknown key 'scratch' in local");
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  speed: 4\n"), "unknown key 'speed' in transfer_settings");
  EXPECT_HAS(error_of(kMinimal + "job:\n  nam: x\n"), "did you mean 'name'?");
  EXPECT_HAS(error_of(kMinimal + "staging:\n  volume: /x\n"), "did you mean 'volumes'?");
  EXPECT_HAS(error_of(kMinimal + "log:\n  levl: info\n"), "did you mean 'level'?");
}

// No section answers an unknown key with an empty list of valid keys; the
// original's own sections list the keys its file has.
TEST_F(ConfigTest, EverySectionListsItsValidKeys) {
  const std::string far = "  qqqqqqqqqqqqqqqqqqqqqqqq: 1\n";  // close to no key
  for (const char* section : {"job", "transfer", "staging", "ledger", "log", "local", "transfer_settings"}) {
    const std::string msg = error_of(kMinimal + section + ":\n" + far);
    EXPECT_HAS(msg, std::string("in ") + section + " (valid keys: ");
    EXPECT_EQ(msg.find("(valid keys: )"), std::string::npos) << msg;
  }
  EXPECT_HAS(error_of(with_source(far)), "in source (valid keys: bucket, prefix, region,");
  EXPECT_HAS(error_of("qqqqqqqqqqqqqqqqqqqqqqqq: 1\n" + kMinimal), "at the top level (valid keys: source, destination,");
  EXPECT_HAS(error_of(kMinimal + "local:\n" + far), "(valid keys: directory)");
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n" + far),
             "(valid keys: max_size_to_transfer_src2l, max_size_to_transfer_l2dest, src_endpoint_url, "
             "dest_endpoint_url, src_use_native_s3)");
}

TEST_F(ConfigTest, MisspeltOriginalKeysGetASuggestion) {
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  dst_endpoint_url: no_endpoint\n"),
             "config.yaml:10: unknown key 'dst_endpoint_url' in transfer_settings (did you mean 'dest_endpoint_url'?)");
  EXPECT_HAS(error_of(kMinimal + "local:\n  directroy: x/\n"), "(did you mean 'directory'?)");
  EXPECT_HAS(error_of(with_source("  bucket_nam: x\n")), "(did you mean 'bucket_name'?)");
}

// Every unknown key of the file in one error, each on its own line with its
// line number and suggestion: a run per typo is not what an operator
// converting a file needs.
TEST_F(ConfigTest, AllUnknownKeysAreReportedAtOnce) {
  auto r = parse(
      "source:\n"                               // 1
      "  bucket_nme: a\n"                       // 2
      "  access_key: AK\n"                      // 3
      "  secret_access_key: S\n"                // 4
      "destination:\n"                          // 5
      "  bucket: b\n"                           // 6
      "  regoin: us-east-1\n"                   // 7
      "  access_key: AK\n"                      // 8
      "  secret_access_key: S\n"                // 9
      "transfer_settings:\n"                    // 10
      "  max_size_to_transfer_src2: 1\n"        // 11
      "  qqqqqqqqqqqqqqqqqqqqqqqq: 1\n"         // 12
      "trasnfer:\n"                             // 13
      "  workers: 4\n");                        // 14
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ConfigError");
  EXPECT_EQ(r.error().message,
            "config.yaml: 5 problems; fix them all:\n"
            "  config.yaml:2: unknown key 'bucket_nme' in source (did you mean 'bucket_name'?)\n"
            "  config.yaml:7: unknown key 'regoin' in destination (did you mean 'region'?)\n"
            "  config.yaml:11: unknown key 'max_size_to_transfer_src2' in transfer_settings "
            "(did you mean 'max_size_to_transfer_src2l'?)\n"
            "  config.yaml:12: unknown key 'qqqqqqqqqqqqqqqqqqqqqqqq' in transfer_settings (valid keys: "
            "max_size_to_transfer_src2l, max_size_to_transfer_l2dest, src_endpoint_url, dest_endpoint_url, "
            "src_use_native_s3)\n"
            "  config.yaml:13: unknown key 'trasnfer' at the top level (did you mean 'transfer'?)");
}

TEST_F(ConfigTest, OtherProblemsAreListedWithTheUnknownKeys) {
  auto r = parse(with_source("  bucket_nme: a\n") + "transfer:\n  workers: abc\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_HAS(r.error().message, "config.yaml: 2 problems; fix them all:\n");
  EXPECT_HAS(r.error().message, "\n  config.yaml:2: unknown key 'bucket_nme' in source");
  EXPECT_HAS(r.error().message, "\n  config.yaml:11: transfer.workers must be a whole number, got 'abc'");
}

TEST_F(ConfigTest, KeyAndItsAliasTogetherAreAnError) {
  EXPECT_EQ(error_of(with_source("  prefix: a/\n  bucket_prefix: b/\n")),
            "config.yaml:3: source.bucket_prefix sets the same thing as source.prefix on line 2; keep one");
  EXPECT_HAS(error_of(kMinimal + "src:\n  bucket: x\n"), "config.yaml:9: src sets the same thing as source");
  EXPECT_HAS(error_of(kMinimal + "staging:\n  max_batch_bytes: 1\n"
                                 "transfer_settings:\n  max_size_to_transfer_src2l: 2\n"),
             "config.yaml:12: transfer_settings.max_size_to_transfer_src2l sets the same thing as "
             "staging.max_batch_bytes on line 10");
  EXPECT_HAS(error_of(with_source("  bucket_name: b\n")),
             "config.yaml:3: source.bucket sets the same thing as source.bucket_name on line 2");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: https://a.lan\n") +
                      "transfer_settings:\n  src_endpoint_url: https://b.lan\n"),
             "sets the same thing as source.endpoint_urls on line 2");
  EXPECT_HAS(error_of(kMinimal + "dt_data_json_dir: a\nlog:\n  dir: b\n"), "log.dir sets the same thing as");
}

TEST_F(ConfigTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(error_of(with_source("  bucket: other\n")),
            "config.yaml:3: source.bucket is given twice (first on line 2); keep one");
}

}  // namespace
}  // namespace s5j::config
