#include <gtest/gtest.h>

#include "support/unprivileged.h"
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/config.h"
#include "support/test_env.h"

namespace s5j::config {
namespace {

// EnvLookup is a plain function pointer, so the fake environment is a global
// that each test's fixture resets.
std::map<std::string, std::string> g_env;

std::optional<std::string> fake_env(const char* name) {
  const auto it = g_env.find(name);
  if (it == g_env.end()) return std::nullopt;
  return it->second;
}

constexpr const char* kSrcSecret = "SrcSecret/abc+123xyz";
constexpr const char* kDstSecret = "DstSecret/xyz+789abc";

const std::string kMinimal =
    "source:\n"
    "  bucket: src-bucket\n"
    "  access_key: AKIASRC\n"
    "  secret_access_key: SrcSecret/abc+123xyz\n"
    "destination:\n"
    "  bucket: dst-bucket\n"
    "  access_key: AKIADST\n"
    "  secret_access_key: DstSecret/xyz+789abc\n";

void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(path.c_str(), mode);
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = s5j::testing::make_temp_dir("config");
    g_env.clear();
    g_env["HOME"] = dir_;  // no ~/.aws/credentials unless a test writes one
  }
  void TearDown() override {
    g_env.clear();
    std::filesystem::remove_all(dir_);
  }

  static Result<Config> parse(const std::string& text) { return parse_config(text, "config.yaml", fake_env); }

  // Parses `text`, expects a ConfigError and returns its message.
  static std::string error_of(const std::string& text) {
    auto r = parse(text);
    if (r.has_value()) {
      ADD_FAILURE() << "expected an error for:\n" << text;
      return {};
    }
    EXPECT_EQ(r.error().kind, ErrorKind::fatal);
    EXPECT_EQ(r.error().code, "ConfigError");
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "one line: " << r.error().message;
    return r.error().message;
  }

  // kMinimal with `extra` lines inserted right under "source:" (line 2 on).
  static std::string with_source(const std::string& extra) {
    return "source:\n" + extra + kMinimal.substr(std::string("source:\n").size());
  }
  static std::string with_transfer(const std::string& body) { return kMinimal + "transfer:\n" + body; }

  std::string dir_;
};

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

// --- The happy path -------------------------------------------------------

TEST_F(ConfigTest, MinimalConfigGetsDefaults) {
  auto r = parse(kMinimal);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.file, "config.yaml");
  EXPECT_EQ(c.job, "default");
  EXPECT_EQ(c.source.name, "source");
  EXPECT_EQ(c.destination.name, "destination");
  EXPECT_EQ(c.source.bucket, "src-bucket");
  EXPECT_EQ(c.source.prefix, "");
  EXPECT_EQ(c.source.region, "us-east-1");
  EXPECT_EQ(c.source.endpoint_urls, std::vector<std::string>{"https://s3.us-east-1.amazonaws.com"});
  EXPECT_TRUE(c.source.aws_default_endpoint);
  EXPECT_EQ(c.source.access_key, "AKIASRC");
  EXPECT_EQ(c.source.secret_access_key, kSrcSecret);
  EXPECT_EQ(c.source.credentials_origin, "config");
  EXPECT_EQ(c.destination.secret_access_key, kDstSecret);
  EXPECT_EQ(c.source.list_api, ListApi::automatic);
  EXPECT_EQ(c.source.addressing, Addressing::path);
  EXPECT_EQ(c.transfer.workers, 16);
  EXPECT_EQ(c.transfer.part_size, 16ull << 20);
  EXPECT_EQ(c.transfer.multipart_threshold, 512ull << 20);
  EXPECT_EQ(c.transfer.max_attempts, 8);
  EXPECT_TRUE(c.staging.volumes.empty());
  EXPECT_EQ(c.staging.volume_pattern, "/tmp/volume-");
  EXPECT_EQ(c.staging.reserve_bytes, 1ull << 30);
  EXPECT_EQ(c.staging.max_batch_bytes, 0u);
  EXPECT_EQ(c.staging.volume_limit_bytes, 0u);
  EXPECT_EQ(c.staging.scan_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.ledger.path, "s5j-ledger.db");
  EXPECT_EQ(c.log.dir, "s5j-logs");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.source.network.connect_timeout, std::chrono::milliseconds(10'000));
  EXPECT_TRUE(c.warnings.empty());
}

TEST_F(ConfigTest, EveryModernKeyIsRead) {
  const std::string ca = dir_ + "/ca.pem";
  write_file(ca, "-----BEGIN CERTIFICATE-----\n");
  auto r = parse(
      "job:\n"
      "  name: nightly-01\n"
      "source:\n"
      "  bucket: snow-bucket\n"
      "  prefix: data/2024/\n"
      "  region: snow\n"
      "  access_key: AKIASNOW\n"
      "  secret_access_key: SnowSecret\n"
      "  session_token: SnowToken\n"
      "  endpoint_urls:\n"
      "    - https://192.168.1.10:8443/\n"
      "    - https://192.168.1.11:8443\n"
      "  list_api: v1\n"
      "  addressing: path\n"
      "  ca_bundle: " +
      ca +
      "\n"
      "  proxy: http://proxy.lan:3128\n"
      "  interface: eth1\n"
      "  connect_timeout: 2.5\n"
      "  low_speed_limit: 10KiB\n"
      "  low_speed_time: 30\n"
      "  max_bandwidth: 800Mbit\n"
      "destination:\n"
      "  bucket: archive\n"
      "  region: eu-west-1\n"
      "  access_key: AKIADST\n"
      "  secret_access_key: DstSecret\n"
      "  endpoint_urls: https://minio.lan:9000\n"
      "  list_api: v2\n"
      "  addressing: virtual\n"
      "  max_bandwidth: 104857600\n"
      "transfer:\n"
      "  workers: 32\n"
      "  part_size: 64MiB\n"
      "  multipart_threshold: 128MB\n"
      "  max_attempts: 5\n"
      "staging:\n"
      "  volumes: [/mnt/v1, /mnt/v2]\n"
      "  volume_pattern: /data/vol-\n"
      "  reserve: 2GiB\n"
      "  max_batch_bytes: 500GB\n"
      "  volume_limit: 100GiB\n"
      "  scan_interval: 2.5\n"
      "ledger:\n"
      "  path: /var/lib/s5j/ledger.db\n"
      "  postgres_url: postgresql://s5j@db.lan/s5j\n"
      "log:\n"
      "  dir: /var/log/s5j\n"
      "  level: DEBUG\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.job, "nightly-01");
  EXPECT_EQ(c.source.prefix, "data/2024/");
  EXPECT_EQ(c.source.region, "snow");
  EXPECT_EQ(c.source.session_token, "SnowToken");
  EXPECT_EQ(c.source.endpoint_urls,
            (std::vector<std::string>{"https://192.168.1.10:8443", "https://192.168.1.11:8443"}));
  EXPECT_FALSE(c.source.aws_default_endpoint);
  EXPECT_EQ(c.source.list_api, ListApi::v1);
  EXPECT_EQ(c.source.network.ca_bundle, ca);
  EXPECT_EQ(c.source.network.proxy, "http://proxy.lan:3128");
  EXPECT_EQ(c.source.network.bind_interface, "eth1");
  EXPECT_EQ(c.source.network.connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.source.network.low_speed_bytes_per_sec, 10240u);
  EXPECT_EQ(c.source.network.low_speed_time, std::chrono::seconds(30));
  EXPECT_EQ(c.source.network.max_bytes_per_sec, 100'000'000u);
  EXPECT_FALSE(c.source.network.insecure_skip_verify);
  EXPECT_EQ(c.destination.region, "eu-west-1");
  EXPECT_EQ(c.destination.endpoint_urls, std::vector<std::string>{"https://minio.lan:9000"});
  EXPECT_EQ(c.destination.list_api, ListApi::v2);
  EXPECT_EQ(c.destination.addressing, Addressing::virtual_hosted);
  EXPECT_EQ(c.destination.network.max_bytes_per_sec, 104857600u);
  EXPECT_EQ(c.transfer.workers, 32);
  EXPECT_EQ(c.transfer.part_size, 64ull << 20);
  EXPECT_EQ(c.transfer.multipart_threshold, 128'000'000u);
  EXPECT_EQ(c.transfer.max_attempts, 5);
  EXPECT_EQ(c.staging.volumes, (std::vector<std::string>{"/mnt/v1", "/mnt/v2"}));
  EXPECT_EQ(c.staging.volume_pattern, "/data/vol-");
  EXPECT_EQ(c.staging.reserve_bytes, 2ull << 30);
  EXPECT_EQ(c.staging.max_batch_bytes, 500'000'000'000u);
  EXPECT_EQ(c.staging.volume_limit_bytes, 100ull << 30);
  EXPECT_EQ(c.staging.scan_interval, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.ledger.path, "/var/lib/s5j/ledger.db");
  EXPECT_EQ(c.ledger.postgres_url, "postgresql://s5j@db.lan/s5j");
  EXPECT_EQ(c.log.dir, "/var/log/s5j");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_TRUE(c.warnings.empty());
}

// The original toolset's config.yaml, as its README describes it.
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
  EXPECT_EQ(r->transfer.workers, 16);
}

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
  EXPECT_HAS(msg, "config.yaml:10: unknown key 'flavour' in ledger (valid keys: path, postgres_url)");
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

// --- Types ------------------------------------------------------------------

TEST_F(ConfigTest, WrongTypesAreNamed) {
  EXPECT_EQ(error_of(with_source("  region: [us-east-1]\n")).substr(0, 60),
            std::string("config.yaml:2: source.region must be a single value, not a list").substr(0, 60));
  EXPECT_HAS(error_of(with_transfer("  workers: abc\n")),
             "config.yaml:10: transfer.workers must be a whole number, got 'abc'");
  EXPECT_HAS(error_of(with_transfer("  workers: 4.5\n")), "must be a whole number");
  EXPECT_HAS(error_of(with_transfer("  workers: {a: 1}\n")), "transfer.workers must be a whole number, not a section");
  EXPECT_HAS(error_of(with_transfer("  part_size: huge\n")), "transfer.part_size must be a size");
  EXPECT_HAS(error_of(with_source("  insecure: maybe\n")), "source.insecure must be true or false, got 'maybe'");
  EXPECT_HAS(error_of(with_source("  connect_timeout: fast\n")), "source.connect_timeout must be a number of seconds");
  EXPECT_HAS(error_of(with_source("  connect_timeout: nan\n")), "must be a number of seconds");
  EXPECT_HAS(error_of(with_source("  max_bandwidth: quick\n")), "source.max_bandwidth must be a size");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: {a: b}\n")), "must be a string or a list of strings");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: [[a]]\n")), "must be a list of strings, but an item is a list");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: ['']\n")), "has an empty item");
  EXPECT_HAS(error_of("source: mybucket\n"), "config.yaml:1: source must be a section of keys");
  EXPECT_HAS(error_of(kMinimal + "transfer_settings:\n  max_size_to_transfer_l2dest: [1]\n"),
             "must be a single value, not a list");
  EXPECT_HAS(error_of(kMinimal + "? [a, b]\n: c\n"), "keys must be plain names");
}

TEST_F(ConfigTest, TopLevelMustBeSections) {
  EXPECT_HAS(error_of("- source\n- destination\n"), "config.yaml:1: the top level must be sections");
  EXPECT_HAS(error_of("just text\n"), "the top level must be sections");
}

TEST_F(ConfigTest, MalformedYamlGivesYamlCppsLine) {
  const std::string msg = error_of("source:\n  bucket: a\n  region: [us-east-1\ndestination:\n  bucket: b\n");
  EXPECT_EQ(msg.rfind("config.yaml:", 0), 0u) << msg;
  EXPECT_HAS(msg, "malformed YAML");
  const std::string msg2 = error_of("source:\n  bucket: a\n    region: x: y\n");
  EXPECT_HAS(msg2, "config.yaml:3: malformed YAML: ");
}

TEST_F(ConfigTest, EmptyAndMultiDocumentTexts) {
  EXPECT_EQ(error_of(""), "config.yaml: the file is empty; start from examples/config.yaml");
  EXPECT_HAS(error_of("# only a comment\n\n"), "the file is empty");
  EXPECT_HAS(error_of(kMinimal + "---\n" + kMinimal), "holds 2 YAML documents");
}

// --- Required things ------------------------------------------------------

TEST_F(ConfigTest, MissingSectionsAndBuckets) {
  EXPECT_HAS(error_of("source:\n  bucket: a\n  access_key: A\n  secret_access_key: S\n"),
             "config.yaml: missing section 'destination'");
  EXPECT_HAS(error_of("destination:\n  bucket: a\n  access_key: A\n  secret_access_key: S\n"),
             "missing section 'source'");
  EXPECT_EQ(error_of("source:\n  access_key: A\n  secret_access_key: S\ndestination:\n  bucket: b\n"),
            "config.yaml:1: source.bucket is missing: add 'bucket: NAME' under source");
  EXPECT_HAS(error_of("source:\n  bucket: \"\"\n  access_key: A\n  secret_access_key: S\ndestination:\n  bucket: b\n"),
             "source.bucket is missing");
  EXPECT_HAS(error_of(kMinimal.substr(0, kMinimal.find("destination:")) + "destination:\n"),
             "config.yaml:5: destination.bucket is missing");
}

TEST_F(ConfigTest, BucketNamesAreChecked) {
  EXPECT_HAS(error_of("source:\n  bucket: s3://a/b\n"), "config.yaml:2: source.bucket takes the bare bucket name");
  EXPECT_HAS(error_of("source:\n  bucket: mybucket/data/\n"), "move 'data/' into 'prefix'");
  EXPECT_HAS(error_of("source:\n  bucket: \"my bucket\"\n"), "must not contain white space");
}

// --- Prefix -----------------------------------------------------------------

TEST_F(ConfigTest, PrefixWithLeadingSlashIsRejectedWithTheFix) {
  EXPECT_EQ(error_of(with_source("  prefix: /data/2024/\n")),
            "config.yaml:2: source.prefix must not start with '/': S3 keys have no leading slash; write "
            "'data/2024/' instead of '/data/2024/'");
  EXPECT_HAS(error_of(with_source("  bucket_prefix: /x\n")), "source.bucket_prefix must not start with '/'");
}

TEST_F(ConfigTest, PrefixIsKeptAsGiven) {
  auto with_slash = parse(with_source("  prefix: data/\n"));
  ASSERT_TRUE(with_slash.has_value());
  EXPECT_EQ(with_slash->source.prefix, "data/");
  auto without = parse(with_source("  prefix: data\n"));
  ASSERT_TRUE(without.has_value());
  EXPECT_EQ(without->source.prefix, "data");
}

// --- Endpoints and regions --------------------------------------------------

TEST_F(ConfigTest, InvalidEndpointUrlsAreErrors) {
  EXPECT_HAS(error_of(with_source("  endpoint_urls: ftp://x\n")),
             "config.yaml:2: source.endpoint_urls has an invalid endpoint URL 'ftp://x': the scheme must be http");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: [https://a.lan, 'https://b.lan?x=1']\n")), "remove the query");
  EXPECT_HAS(error_of(with_source("  endpoint_url: 10.0.0.1:8080\n")), "needs a scheme");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: https://s3.amazonaws.com/mybucket\n")), "remove the path");
  EXPECT_HAS(error_of(with_source("  endpoint_urls: [no_endpoint, https://a.lan]\n")), "mixes 'no_endpoint'");
}

TEST_F(ConfigTest, EndpointListIsNormalisedAndDeduplicated) {
  auto r = parse(with_source("  endpoint_urls: [https://a.lan/, https://a.lan, HTTP://B.lan:8080]\n"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.endpoint_urls, (std::vector<std::string>{"https://a.lan", "http://b.lan:8080"}));
}

TEST_F(ConfigTest, NoEndpointMeansAwsDefaultForTheRegion) {
  auto r = parse(with_source("  region: ap-southeast-2\n  endpoint_urls: no_endpoint\n"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.endpoint_urls, std::vector<std::string>{"https://s3.ap-southeast-2.amazonaws.com"});
  EXPECT_TRUE(r->source.aws_default_endpoint);
}

TEST_F(ConfigTest, SnowballNeedsAnEndpoint) {
  EXPECT_HAS(error_of(with_source("  region: snow\n")),
             "config.yaml:2: source.region is 'snow' (Snowball Edge), which has no default endpoint");
  EXPECT_HAS(error_of(with_source("  region: snow\n  endpoint_urls: no_endpoint\n")), "set source.endpoint_urls");
  auto r = parse(with_source("  region: SNOW\n  endpoint_url: http://192.168.1.50:8080\n"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.region, "snow");
}

TEST_F(ConfigTest, RegionListApiAddressingAndLogLevelValues) {
  EXPECT_HAS(error_of(with_source("  region: us east 1\n")), "source.region must look like 'us-east-1'");
  EXPECT_HAS(error_of(with_source("  list_api: v3\n")), "source.list_api must be one of auto, v2, v1, got 'v3'");
  EXPECT_HAS(error_of(with_source("  addressing: dns\n")), "must be one of path, virtual");
  EXPECT_HAS(error_of(kMinimal + "log:\n  level: loud\n"), "log.level must be one of trace, debug, info, warn, error");
  EXPECT_HAS(error_of(kMinimal + "job:\n  name: my job\n"), "job.name must be 1-64 letters");
  auto r = parse(with_source("  list_api: AUTO\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->source.list_api, ListApi::automatic);
}

// --- Sizes and numbers ------------------------------------------------------

TEST_F(ConfigTest, PartSizeMustBeWithinS3Limits) {
  EXPECT_HAS(error_of(with_transfer("  part_size: 4MiB\n")),
             "config.yaml:10: transfer.part_size must be from 5MiB to 5GiB (S3's part size limits), got '4MiB'");
  EXPECT_HAS(error_of(with_transfer("  part_size: 5MB\n")), "got '5MB' (5000000 bytes)");
  EXPECT_HAS(error_of(with_transfer("  part_size: 6GiB\n")), "must be from 5MiB to 5GiB");
  auto low = parse(with_transfer("  part_size: 5MiB\n"));
  ASSERT_TRUE(low.has_value());
  EXPECT_EQ(low->transfer.part_size, 5ull << 20);
  auto high = parse(with_transfer("  part_size: 5GiB\n"));
  ASSERT_TRUE(high.has_value());
  EXPECT_EQ(high->transfer.part_size, 5ull << 30);
}

TEST_F(ConfigTest, NonPositiveAndOutOfRangeNumbers) {
  EXPECT_HAS(error_of(with_transfer("  multipart_threshold: 0\n")), "transfer.multipart_threshold must be more than 0");
  EXPECT_HAS(error_of(with_transfer("  multipart_threshold: 6GiB\n")), "at most 5GiB");
  EXPECT_HAS(error_of(with_transfer("  part_size: -16MiB\n")), "must not be negative");
  EXPECT_HAS(error_of(with_transfer("  workers: 0\n")), "transfer.workers must be from 1 to 1024, got '0'");
  EXPECT_HAS(error_of(with_transfer("  workers: -3\n")), "must be from 1 to 1024");
  EXPECT_HAS(error_of(with_transfer("  workers: 99999999999999\n")), "must be a whole number");
  EXPECT_HAS(error_of(with_transfer("  max_attempts: 0\n")), "transfer.max_attempts must be from 1 to 100");
  EXPECT_HAS(error_of(kMinimal + "staging:\n  reserve: -1GiB\n"), "staging.reserve must not be negative");
  EXPECT_HAS(error_of(kMinimal + "staging:\n  scan_interval: 0\n"), "staging.scan_interval must be more than 0 seconds");
  EXPECT_HAS(error_of(kMinimal + "staging:\n  scan_interval: 1d\n"), "staging.scan_interval must be a number of seconds");
  EXPECT_HAS(error_of(kMinimal + "staging:\n  volume_limit: 16M\n"), "staging.volume_limit");
  EXPECT_HAS(error_of(with_source("  connect_timeout: 0\n")), "must be more than 0 seconds");
  EXPECT_HAS(error_of(with_source("  connect_timeout: -1\n")), "must be more than 0 seconds");
  EXPECT_HAS(error_of(with_source("  low_speed_time: -1\n")), "must be 0 or more seconds");
  EXPECT_HAS(error_of(with_source("  max_bandwidth: -5\n")), "must not be negative");
}

TEST_F(ConfigTest, SizesAcceptNumbersAndUnits) {
  auto r = parse(with_transfer("  part_size: 8388608\n  multipart_threshold: 64MB\n"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->transfer.part_size, 8388608u);
  EXPECT_EQ(r->transfer.multipart_threshold, 64'000'000u);
}

// --- Network options --------------------------------------------------------

TEST_F(ConfigTest, CaBundleMustExistAndBeAFile) {
  EXPECT_HAS(error_of(with_source("  ca_bundle: " + dir_ + "/missing.pem\n")),
             "config.yaml:2: source.ca_bundle file '" + dir_ + "/missing.pem' cannot be used: No such file");
  EXPECT_HAS(error_of(with_source("  ca_bundle: " + dir_ + "\n")), "is a directory");
}

TEST_F(ConfigTest, CaBundleMustBeReadable) {
  const std::string ca = dir_ + "/locked.pem";
  write_file(ca, "x", 0000);
  // As root the check would pass (root reads anything): run it as nobody.
  const std::string yaml = with_source("  ca_bundle: " + ca + "\n");
  EXPECT_HAS(s5j::testing::run_unprivileged([&] { return error_of(yaml); }), "is not readable");
}

TEST_F(ConfigTest, InsecureAddsALoudWarning) {
  auto r = parse(with_source("  insecure: true\n"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->source.network.insecure_skip_verify);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_HAS(r->warnings[0], "config.yaml:2: WARNING: source: TLS certificate verification is OFF");
  EXPECT_HAS(r->warnings[0], "ca_bundle");
  auto off = parse(with_source("  insecure: false\n"));
  ASSERT_TRUE(off.has_value());
  EXPECT_TRUE(off->warnings.empty());
}

TEST_F(ConfigTest, ProxyIsChecked) {
  EXPECT_HAS(error_of(with_source("  proxy: proxy.lan:3128\n")), "source.proxy needs a scheme");
  EXPECT_HAS(error_of(with_source("  proxy: ftp://proxy.lan\n")), "must use http, https");
  auto r = parse(with_source("  proxy: socks5h://proxy.lan:1080\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->source.network.proxy, "socks5h://proxy.lan:1080");
}

// --- Credentials ------------------------------------------------------------

const std::string kNoCredentials = "source:\n  bucket: a\ndestination:\n  bucket: b\n";

TEST_F(ConfigTest, CredentialsFromTheEnvironment) {
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  g_env["AWS_SESSION_TOKEN"] = "EnvToken";
  auto r = parse(kNoCredentials);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  for (const SideConfig* side : {&r->source, &r->destination}) {
    EXPECT_EQ(side->access_key, "AKIAENV");
    EXPECT_EQ(side->secret_access_key, "EnvSecret");
    EXPECT_EQ(side->session_token, "EnvToken");
    EXPECT_EQ(side->credentials_origin, "environment");
  }
}

TEST_F(ConfigTest, ConfigCredentialsBeatTheEnvironment) {
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  auto r = parse(
      "source:\n  bucket: a\n  access_key: AK\n  secret_access_key: CfgSecret\n  session_token: T\n"
      "destination:\n  bucket: b\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.credentials_origin, "config");
  EXPECT_EQ(r->source.secret_access_key, "CfgSecret");
  EXPECT_EQ(r->source.session_token, "T");
  EXPECT_EQ(r->destination.credentials_origin, "environment");
  EXPECT_EQ(r->destination.session_token, "");
}

TEST_F(ConfigTest, CredentialsFromTheDefaultProfileUnderHome) {
  std::filesystem::create_directories(dir_ + "/.aws");
  write_file(dir_ + "/.aws/credentials",
             "[default]\naws_access_key_id = AKIAPROF\naws_secret_access_key = ProfSecret\n");
  auto r = parse(kNoCredentials);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.access_key, "AKIAPROF");
  EXPECT_EQ(r->source.secret_access_key, "ProfSecret");
  EXPECT_EQ(r->source.credentials_origin, "profile default");
  EXPECT_EQ(r->source.profile, "default");
}

TEST_F(ConfigTest, ProfileKeyAndAwsProfileChooseTheProfile) {
  const std::string file = dir_ + "/creds";
  write_file(file,
             "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = DefSecret\n"
             "[snow]\naws_access_key_id = AKIASNOW\naws_secret_access_key = SnowSecret\naws_session_token = ST\n"
             "[cloud]\naws_access_key_id = AKIACLOUD\naws_secret_access_key = CloudSecret\n");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  g_env["AWS_PROFILE"] = "cloud";
  auto r = parse("source:\n  bucket: a\n  profile: snow\ndestination:\n  bucket: b\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.access_key, "AKIASNOW");
  EXPECT_EQ(r->source.session_token, "ST");
  EXPECT_EQ(r->source.credentials_origin, "profile snow");
  EXPECT_EQ(r->destination.access_key, "AKIACLOUD");
  EXPECT_EQ(r->destination.credentials_origin, "profile cloud");
}

TEST_F(ConfigTest, ExplicitProfileKeyBeatsTheEnvironment) {
  const std::string file = dir_ + "/creds";
  write_file(file, "[snow]\naws_access_key_id = AKIASNOW\naws_secret_access_key = SnowSecret\n");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  auto r = parse("source:\n  bucket: a\n  profile: snow\ndestination:\n  bucket: b\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.credentials_origin, "profile snow");
  EXPECT_EQ(r->destination.credentials_origin, "environment");
}

TEST_F(ConfigTest, MissingCredentialsNameTheThreeWays) {
  const std::string msg = error_of(kNoCredentials);
  EXPECT_HAS(msg, "config.yaml:1: source: no credentials found");
  EXPECT_HAS(msg, "access_key and secret_access_key under source");
  EXPECT_HAS(msg, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  EXPECT_HAS(msg, dir_ + "/.aws/credentials");
  EXPECT_HAS(msg, "AWS_PROFILE");
}

TEST_F(ConfigTest, ChosenProfileThatIsMissingIsAnError) {
  const std::string file = dir_ + "/creds";
  write_file(file, "[default]\naws_access_key_id = A\naws_secret_access_key = S\n[half]\naws_access_key_id = A\n");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  EXPECT_HAS(error_of("source:\n  bucket: a\n  profile: nope\ndestination:\n  bucket: b\n"),
             "source: profile 'nope' (from source.profile) is not in " + file + " (it has: default, half)");
  EXPECT_HAS(error_of("source:\n  bucket: a\n  profile: half\ndestination:\n  bucket: b\n"),
             "needs both aws_access_key_id and aws_secret_access_key");
  g_env["AWS_PROFILE"] = "gone";
  EXPECT_HAS(error_of(kNoCredentials), "profile 'gone' (from AWS_PROFILE) is not in");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = dir_ + "/nothing-here";
  EXPECT_HAS(error_of(kNoCredentials), "profile 'gone' (from AWS_PROFILE) cannot be read");
}

TEST_F(ConfigTest, IncompleteCredentialsAreErrors) {
  EXPECT_HAS(error_of("source:\n  bucket: a\n  access_key: A\ndestination:\n  bucket: b\n"),
             "source.access_key is set but source.secret_access_key is not");
  EXPECT_HAS(error_of("source:\n  bucket: a\n  secret_access_key: S\ndestination:\n  bucket: b\n"),
             "source.secret_access_key is set but source.access_key is not");
  EXPECT_HAS(error_of("source:\n  bucket: a\n  session_token: T\ndestination:\n  bucket: b\n"),
             "source.session_token only works together with access_key");
  EXPECT_HAS(error_of(with_source("  profile: p\n")), "sets both profile and access_key");
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  EXPECT_HAS(error_of(kNoCredentials), "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
}

// --- Secrets never leak -------------------------------------------------------

TEST_F(ConfigTest, NoErrorMessageContainsASecret) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET";
  const std::string cases[] = {
      "source:\n  bucket: a\n  secret_access_key: [" + secret + "]\n",
      "source:\n  bucket: a\n  secret_access_key: {k: " + secret + "}\n",
      "source:\n  bucket: a\n  secret_key:\n    - " + secret + "\n",
      "source:\n  bucket: a\n  session_token: [" + secret + "]\n",
      "source:\n  bucket: a\n  secret_access_key: " + secret + "\n  secret_access_key: " + secret + "\n",
      "source:\n  bucket: a\n  secret_acess_key: " + secret + "\n",
      "source:\n  bucket: a\n  secret_access_key: " + secret + "\ndestination:\n  bucket: b\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\n  region: " + secret + "\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\n  bucket_prefix: /" + secret + "\n",
      "source:\n  bucket: a\n  endpoint_urls: https://AKIA:" + secret + "@s3.lan\n",
      "source:\n  bucket: a\n  endpoint_urls: AKIA:" + secret + "@s3.lan\n",
      "source:\n  bucket: a\n  proxy: ftp://u:" + secret + "@proxy.lan\n",
      "source:\n  bucket: a\n  proxy: u:" + secret + "@proxy.lan\n",
      "ledger:\n  postgres_url: mysql://u:" + secret + "@db\n",
      "ledger:\n  postgres_url: [" + secret + "]\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\n  workers: 1\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\ndestination: " + secret + "\n",
  };
  for (const std::string& text : cases) {
    const std::string msg = error_of(text);
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(msg.find(secret), std::string::npos) << "leaked in: " << msg;
    EXPECT_EQ(msg.find("wJalrXUtnFEMI"), std::string::npos) << "partly leaked in: " << msg;
  }
}

TEST_F(ConfigTest, NoErrorMessageContainsAnEnvironmentOrProfileSecret) {
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvOnlySecret123";
  EXPECT_EQ(error_of(kNoCredentials).find("EnvOnlySecret123"), std::string::npos);
  const std::string file = dir_ + "/creds";
  write_file(file, "[p]\naws_secret_access_key = ProfOnlySecret456\n");
  g_env.erase("AWS_SECRET_ACCESS_KEY");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  g_env["AWS_PROFILE"] = "p";
  EXPECT_EQ(error_of(kNoCredentials).find("ProfOnlySecret456"), std::string::npos);
}

// --- redact -------------------------------------------------------------------

TEST_F(ConfigTest, RedactReplacesConfiguredSecrets) {
  auto r = parse(
      "source:\n  bucket: a\n  access_key: AKIASRC\n  secret_access_key: SrcSecret\n  session_token: SrcToken\n"
      "  proxy: http://user:ProxyPass@proxy.lan:3128\n"
      "destination:\n  bucket: b\n  access_key: AKIADST\n  secret_access_key: DstSecret\n"
      "ledger:\n  postgres_url: postgres://s5j:DbPass@db.lan/s5j\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(redact(*r, "src=SrcSecret token=SrcToken dst=DstSecret again SrcSecret proxy=ProxyPass db=DbPass"),
            "src=*** token=*** dst=*** again *** proxy=*** db=***");
  EXPECT_EQ(redact(*r, "AKIASRC is not secret"), "AKIASRC is not secret");
  Config empty;
  EXPECT_EQ(redact(empty, "nothing to hide"), "nothing to hide");
}

// --- load_config: the file itself ----------------------------------------------

TEST_F(ConfigTest, LoadReadsTheFile) {
  const std::string path = dir_ + "/config.yaml";
  write_file(path, kMinimal, 0600);
  auto r = load_config(path, fake_env);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->file, path);
  EXPECT_EQ(r->source.bucket, "src-bucket");
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(ConfigTest, LoadErrorsNameTheFile) {
  auto missing = load_config(dir_ + "/nope.yaml", fake_env);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, "ConfigError");
  EXPECT_EQ(missing.error().kind, ErrorKind::fatal);
  EXPECT_HAS(missing.error().message, dir_ + "/nope.yaml: file not found");

  auto directory = load_config(dir_, fake_env);
  ASSERT_FALSE(directory.has_value());
  EXPECT_HAS(directory.error().message, "is a directory");

  const std::string empty = dir_ + "/empty.yaml";
  write_file(empty, "");
  auto e = load_config(empty, fake_env);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message, empty + ": the file is empty; start from examples/config.yaml");

  const std::string bad = dir_ + "/bad.yaml";
  write_file(bad, "source:\n  bucket: a\n  - b\n");
  auto b = load_config(bad, fake_env);
  ASSERT_FALSE(b.has_value());
  EXPECT_HAS(b.error().message, bad + ":3: malformed YAML");
}

TEST_F(ConfigTest, LoadReportsAnUnreadableFile) {
  const std::string path = dir_ + "/locked.yaml";
  write_file(path, kMinimal, 0000);
  const std::string message = s5j::testing::run_unprivileged([&] {
    auto r = load_config(path, fake_env);
    return r.has_value() ? std::string("loaded") : r.error().message;
  });
  EXPECT_HAS(message, path + ": cannot be read: Permission denied");
}

TEST_F(ConfigTest, LoadWarnsWhenOthersCanReadASecret) {
  const std::string path = dir_ + "/config.yaml";
  write_file(path, kMinimal, 0644);
  auto r = load_config(path, fake_env);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_HAS(r->warnings[0], "readable by group/others (mode 0644)");
  EXPECT_HAS(r->warnings[0], "chmod 600 " + path);

  write_file(path, kMinimal, 0640);
  auto group = load_config(path, fake_env);
  ASSERT_TRUE(group.has_value());
  EXPECT_EQ(group->warnings.size(), 1u);
}

TEST_F(ConfigTest, LoadDoesNotWarnWithoutSecretsInTheFile) {
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  const std::string path = dir_ + "/config.yaml";
  write_file(path, kNoCredentials, 0644);
  auto r = load_config(path, fake_env);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->warnings.empty());

  write_file(path, kNoCredentials + "ledger:\n  postgres_url: postgres://u:pw@db/x\n", 0644);
  auto with_db_password = load_config(path, fake_env);
  ASSERT_TRUE(with_db_password.has_value()) << with_db_password.error().message;
  EXPECT_EQ(with_db_password->warnings.size(), 1u);
}

// The shipped examples must stay loadable (they are what users copy).
TEST_F(ConfigTest, ShippedExamplesLoad) {
  for (const char* name : {"config.yaml", "config-snowball.yaml"}) {
    const std::string path = s5j::testing::source_dir() + "/examples/" + name;
    auto r = load_config(path, fake_env);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_FALSE(r->source.bucket.empty());
    EXPECT_FALSE(r->destination.bucket.empty());
  }
}

}  // namespace
}  // namespace s5j::config
