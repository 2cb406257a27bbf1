// The loader: defaults, every modern key, types, required values, each
// key's rules, redact() and load_config()'s handling of the file itself.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "config/config.h"
#include "config_test_fixture.h"
#include "support/test_env.h"
#include "support/unprivileged.h"

namespace s5j::config {
namespace {

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
  EXPECT_EQ(c.source.list_api, s3::ListApi::automatic);
  EXPECT_EQ(c.source.addressing, Addressing::path);
  EXPECT_EQ(c.transfer.workers, 64);
  EXPECT_EQ(c.transfer.part_size, 16ull << 20);
  EXPECT_EQ(c.transfer.multipart_threshold, 512ull << 20);
  EXPECT_EQ(c.transfer.max_attempts, 8);
  EXPECT_TRUE(c.staging.volumes.empty());
  EXPECT_EQ(c.staging.volume_pattern, "/tmp/volume-");
  EXPECT_EQ(c.staging.reserve_bytes, 1ull << 30);
  EXPECT_EQ(c.staging.max_batch_bytes, 0u);
  EXPECT_EQ(c.staging.volume_limit_bytes, 0u);
  EXPECT_EQ(c.staging.scan_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.ledger.lease_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.ledger.unavailable_limit, std::chrono::minutes(30));
  EXPECT_FALSE(c.staging.require_mounts);
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
      "  require_mounts: true\n"
      "ledger:\n"
      "  path: /var/lib/s5j/ledger.db\n"
      "  postgres_url: postgresql://s5j@db.lan/s5j\n"
      "  lease_timeout: 12.5\n"
      "  unavailable_limit: 600\n"
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
  EXPECT_EQ(c.source.list_api, s3::ListApi::v1);
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
  EXPECT_EQ(c.destination.list_api, s3::ListApi::v2);
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
  EXPECT_EQ(c.ledger.lease_timeout, std::chrono::milliseconds(12500));
  EXPECT_EQ(c.ledger.unavailable_limit, std::chrono::minutes(10));
  EXPECT_TRUE(c.staging.require_mounts);
  EXPECT_EQ(c.ledger.path, "/var/lib/s5j/ledger.db");
  EXPECT_EQ(c.ledger.postgres_url, "postgresql://s5j@db.lan/s5j");
  EXPECT_EQ(c.log.dir, "/var/log/s5j");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_TRUE(c.warnings.empty());
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

// An S3 on Outposts access point is given as its ARN: addressed through the
// Outposts endpoint of the ARN's region unless endpoint_urls says otherwise.
TEST_F(ConfigTest, AnOutpostsAccessPointArnIsABucket) {
  const std::string arn = "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my-ap";
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("dst-bucket"), std::string("dst-bucket").size(), arn);
  auto r = parse(yaml);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->destination.bucket, arn);
  ASSERT_TRUE(r->destination.outposts.has_value());
  EXPECT_EQ(r->destination.outposts->name, "my-ap");
  EXPECT_EQ(r->destination.endpoint_urls, std::vector<std::string>{"https://s3-outposts.us-west-2.amazonaws.com"});
  EXPECT_FALSE(r->source.outposts.has_value());

  std::string plain_access_point = kMinimal;
  plain_access_point.replace(plain_access_point.find("dst-bucket"), std::string("dst-bucket").size(),
                             "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap");
  EXPECT_HAS(error_of(plain_access_point), "config.yaml:6: destination.bucket 'arn:aws:s3:us-west-2:123456789012:"
                                           "accesspoint/my-ap' is an ARN of 's3', not of s3-outposts");
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

// `region: snow` selects Snowball's documented limits up front (ListObjects
// v1, connections capped), each overridable; other regions keep the defaults.
TEST_F(ConfigTest, SnowballLimitsComeWithTheRegionAndEachCanBeOverridden) {
  auto snow = parse(with_source("  region: snow\n  endpoint_url: http://192.168.1.50:8080\n"));
  ASSERT_TRUE(snow.has_value()) << snow.error().message;
  EXPECT_EQ(snow->source.list_api, s3::ListApi::v1);
  EXPECT_EQ(snow->source.max_requests, kSnowMaxRequests);
  EXPECT_EQ(snow->source.addressing, Addressing::path);
  EXPECT_EQ(snow->destination.max_requests, 0) << "only the side that is a Snowball";

  auto chosen = parse(
      with_source("  region: snow\n  endpoint_url: http://192.168.1.50:8080\n  list_api: auto\n  max_requests: 600\n"));
  ASSERT_TRUE(chosen.has_value()) << chosen.error().message;
  EXPECT_EQ(chosen->source.list_api, s3::ListApi::automatic);
  EXPECT_EQ(chosen->source.max_requests, 600);

  auto aws = parse(with_source("  max_requests: 32\n"));
  ASSERT_TRUE(aws.has_value()) << aws.error().message;
  EXPECT_EQ(aws->source.list_api, s3::ListApi::automatic);
  EXPECT_EQ(aws->source.max_requests, 32);
  EXPECT_HAS(error_of(with_source("  max_requests: 0\n")), "source.max_requests must be from 1 to 4096, got '0'");
}

TEST_F(ConfigTest, RegionListApiAddressingAndLogLevelValues) {
  EXPECT_HAS(error_of(with_source("  region: us east 1\n")), "source.region must look like 'us-east-1'");
  EXPECT_HAS(error_of(with_source("  list_api: v3\n")), "source.list_api must be one of auto, v2, v1, got 'v3'");
  EXPECT_HAS(error_of(with_source("  addressing: dns\n")), "must be one of path, virtual");
  EXPECT_HAS(error_of(kMinimal + "log:\n  level: loud\n"), "log.level must be one of trace, debug, info, warn, error");
  EXPECT_HAS(error_of(kMinimal + "job:\n  name: my job\n"), "job.name must be 1-64 letters");
  auto r = parse(with_source("  list_api: AUTO\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->source.list_api, s3::ListApi::automatic);
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
  EXPECT_HAS(error_of(kMinimal + "ledger:\n  lease_timeout: 1\n"), "ledger.lease_timeout must be at least 3 seconds");
  EXPECT_HAS(error_of(kMinimal + "ledger:\n  unavailable_limit: 0\n"), "ledger.unavailable_limit must be more than 0");
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
