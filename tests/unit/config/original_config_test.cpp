// The original Python toolset's config.yaml: its published file loads as it
// is, its keys land in their s5j settings, and s5j's other spellings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config_test_fixture.h"

namespace s5j::config {
namespace {

// The original toolset's published config.yaml, key for key and line for
// line (its comments paraphrased, its placeholder values kept: the
// 999.999.999.12 endpoint is its own placeholder). An operator's existing
// file must load as it is.
const std::string kOriginalConfig =
    "# source: a Snowball\n"
    "source:\n"
    "  bucket_name: \"source-bucket-name\"\n"
    "  bucket_prefix: \"\" # e.g. \"mysubdir/\"\n"
    "  region: \"snow\" # 'snow' for a Snowball\n"
    "  access_key: 'AKIASNOWPLACEHOLDER'\n"
    "  secret_access_key: 'SnowSecret/placeholder+1'\n"
    "\n"
    "# single-volume staging folder\n"
    "local:\n"
    "  directory: \"temp_files_for_transfer/\" # deprecated, no longer used\n"
    "\n"
    "# destination: the cloud\n"
    "destination:\n"
    "  bucket_name: \"destination-bucket-name\"\n"
    "  bucket_prefix: \"\" # \"mysubdir/\"\n"
    "  region: \"us-east-1\"\n"
    "  access_key: 'AKIACLOUDPLACEHOLDER'\n"
    "  secret_access_key: 'CloudSecret/placeholder+2'\n"
    "\n"
    "# source to local batches\n"
    "transfer_settings:\n"
    "  max_size_to_transfer_src2l: 52073738204 # bytes per batch (per volume)\n"
    "  max_size_to_transfer_l2dest: 200 # NOT IMPLEMENTED: gigabytes\n"
    "  # dest_endpoint_url: 'destination-bucket-name.s3-accelerate.amazonaws.com'\n"
    "  dest_endpoint_url: ['no_endpoint']\n"
    "  # dest_endpoint_url: ['https://999.999.999.12', 'https://999.999.999.13']\n"
    "  src_endpoint_url: ['https://999.999.999.12'] # 'no_endpoint' for AWS\n"
    "  src_use_native_s3: True # False: s5cmd; True: the aws CLI\n";

TEST_F(ConfigTest, OriginalToolsetsPublishedConfigLoadsAsItIs) {
  const std::string path = dir_ + "/config.yaml";
  write_file(path, kOriginalConfig);
  auto r = load_config(path, fake_env);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.source.bucket, "source-bucket-name");
  EXPECT_EQ(c.source.prefix, "");
  EXPECT_EQ(c.source.region, "snow");
  EXPECT_EQ(c.source.access_key, "AKIASNOWPLACEHOLDER");
  EXPECT_EQ(c.source.secret_access_key, "SnowSecret/placeholder+1");
  EXPECT_EQ(c.source.credentials_origin, "config");
  EXPECT_EQ(c.source.endpoint_urls, std::vector<std::string>{"https://999.999.999.12"});
  EXPECT_FALSE(c.source.aws_default_endpoint);
  EXPECT_EQ(c.destination.bucket, "destination-bucket-name");
  EXPECT_EQ(c.destination.prefix, "");
  EXPECT_EQ(c.destination.region, "us-east-1");
  EXPECT_EQ(c.destination.access_key, "AKIACLOUDPLACEHOLDER");
  EXPECT_EQ(c.destination.secret_access_key, "CloudSecret/placeholder+2");
  EXPECT_EQ(c.destination.endpoint_urls, std::vector<std::string>{"https://s3.us-east-1.amazonaws.com"});
  EXPECT_TRUE(c.destination.aws_default_endpoint);
  // Bytes per batch; the original's /tmp/volume-NN staging is s5j's default.
  EXPECT_EQ(c.staging.max_batch_bytes, 52'073'738'204u);
  EXPECT_TRUE(c.staging.volumes.empty());
  EXPECT_EQ(c.staging.volume_pattern, "/tmp/volume-");
  // The deprecated, the never implemented and the no-effect key: one line each.
  ASSERT_EQ(c.warnings.size(), 3u) << ::testing::PrintToString(c.warnings);
  EXPECT_HAS(c.warnings[0], path + ":11: local.directory is deprecated and has no effect");
  EXPECT_HAS(c.warnings[1], path + ":24: transfer_settings.max_size_to_transfer_l2dest has no effect");
  EXPECT_HAS(c.warnings[2], path + ":29: transfer_settings.src_use_native_s3 has no effect");
  for (const std::string& w : c.warnings) EXPECT_EQ(w.find('\n'), std::string::npos) << w;
}

// An earlier revision of the same file gave each endpoint as one string.
TEST_F(ConfigTest, OriginalToolsetsEndpointsMayBeSingleStrings) {
  std::string text = kOriginalConfig;
  const auto swap = [&](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  swap("dest_endpoint_url: ['no_endpoint']", "dest_endpoint_url: 'no_endpoint'");
  swap("src_endpoint_url: ['https://999.999.999.12']", "src_endpoint_url: 'http://192.168.1.50:8080'");
  swap("src_use_native_s3: True", "src_use_native_s3: False");
  auto r = parse(text);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.endpoint_urls, std::vector<std::string>{"http://192.168.1.50:8080"});
  EXPECT_TRUE(r->destination.aws_default_endpoint);
}

TEST_F(ConfigTest, OriginalToolsetsKeysAreCheckedLikeTheirModernHomes) {
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  src_use_native_s3: sometimes\n"),
             "config.yaml:10: transfer_settings.src_use_native_s3 must be true or false, got 'sometimes'");
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  max_size_to_transfer_src2l: lots\n"),
             "config.yaml:10: transfer_settings.max_size_to_transfer_src2l must be a size");
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  src_endpoint_url: ['no_endpoint', 'https://a.lan']\n"),
             "mixes 'no_endpoint' with URLs");
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  dest_endpoint_url: ftp://a.lan\n"),
             "transfer_settings.dest_endpoint_url has an invalid endpoint URL 'ftp://a.lan'");
}

TEST_F(ConfigTest, LegacyAliasesMapToTheirModernKeys) {
  auto r = parse(
      "src:\n"
      "  bucket: a\n"
      "  access_key: AK\n"
      "  secret_key: SecretByAlias\n"
      "  endpoint_url: https://rgw.lan/\n"
      "  insecure_skip_verify: yes\n"
      "  bind_interface: 10.0.0.2\n"
      "dst:\n"
      "  bucket_name: b\n"
      "  access_key: AK\n"
      "  secret_access_key: S\n"
      "  endpoint_urls: [no_endpoint]\n"
      "  region: cn-north-1\n"
      "transfer_settings:\n"
      "  src_endpoint_url: ~\n"
      "staging:\n"
      "  volumes: /mnt/only\n"
      "  max_transfer_size: 1GiB\n"
      "log:\n"
      "  dt_data_json_dir: json-logs\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.source.bucket, "a");
  EXPECT_EQ(c.source.secret_access_key, "SecretByAlias");
  EXPECT_EQ(c.source.endpoint_urls, std::vector<std::string>{"https://rgw.lan"});
  EXPECT_TRUE(c.source.network.insecure_skip_verify);
  EXPECT_EQ(c.source.network.bind_interface, "10.0.0.2");
  EXPECT_EQ(c.destination.bucket, "b");
  EXPECT_EQ(c.destination.endpoint_urls, std::vector<std::string>{"https://s3.cn-north-1.amazonaws.com.cn"});
  EXPECT_EQ(c.staging.max_batch_bytes, 1ull << 30);
  EXPECT_EQ(c.staging.volumes, std::vector<std::string>{"/mnt/only"});
  EXPECT_EQ(c.log.dir, "json-logs");
  ASSERT_EQ(c.warnings.size(), 1u);  // insecure
}

TEST_F(ConfigTest, EmptyValuesFromTheOriginalTemplateMeanUnset) {
  auto r = parse(with_source("  region: \"\"\n  session_token: \"\"\n  endpoint_urls: \"\"\n  profile:\n") +
                 "transfer:\n  workers: \"\"\nlocal:\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.region, "us-east-1");
  EXPECT_EQ(r->source.session_token, "");
  EXPECT_TRUE(r->source.aws_default_endpoint);
  EXPECT_EQ(r->transfer.workers, 64);  // the default
}

}  // namespace
}  // namespace s5j::config
