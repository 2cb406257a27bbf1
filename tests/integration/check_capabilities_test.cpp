// `s5j check`'s capabilities against the real RGW: what each feature's
// probe finds there (the gateway's real answers are the truth), that the
// destination keeps no probe object, that the source is only read, and,
// through the project's fault proxy, that a server refusing If-Match or
// HEAD ?partNumber with 501 shows as `unsupported`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "fault/fault_proxy.h"
#include "http/curl_transport.h"
#include "s3/s3_client.h"
#include "support/bucket_policy.h"
#include "support/process.h"
#include "support/test_env.h"

namespace s5j {
namespace {

using testing::FaultKind;
using testing::FaultPlan;
using testing::FaultProxy;

struct Keys {
  std::string access = testing::access_key();
  std::string secret = testing::secret_key();
};

std::string write_config(const std::string& dir, const std::string& bucket, const std::string& src_prefix,
                         const std::string& src_endpoint, const std::string& dst_prefix,
                         const std::string& dst_endpoint, const Keys& dst_keys = {}) {
  auto side = [&](const char* name, const std::string& prefix, const std::string& endpoint, const Keys& keys) {
    return std::string(name) + ":\n  bucket: " + bucket + "\n  bucket_prefix: \"" + prefix +
           "\"\n  region: us-east-1\n  access_key: " + keys.access + "\n  secret_access_key: " + keys.secret +
           "\n  endpoint_urls:\n    - " + endpoint + "\n";
  };
  std::string path = dir + "/config.yaml";
  std::ofstream(path) << side("source", src_prefix, src_endpoint, {})
                      << side("destination", dst_prefix, dst_endpoint, dst_keys) << "log:\n  dir: " << dir
                      << "/logs\n";
  chmod(path.c_str(), 0600);
  return path;
}

testing::ProcessResult s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv, {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=",
                                     "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"});
}

class CheckCapabilities : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s3::ClientOptions options;
    options.endpoint_urls = {testing::endpoint_a()};
    options.credentials = {testing::access_key(), testing::secret_key(), ""};
    client_ = std::move(*s3::make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{})));
    bucket_ = testing::unique_bucket_name("caps");
    ASSERT_TRUE(client_->create_bucket(bucket_).has_value());
    // The first key has no data: the source's read probes take the first
    // object that has some.
    for (const char* key : {"data/0-empty", "data/a", "data/b", "out/x", "out/y"}) {
      const std::string body = std::string(key).ends_with("empty") ? "" : std::string("contents of ") + key;
      ASSERT_TRUE(client_->put_object(bucket_, key, s3::BodySource{.size = body.size(), .data = body}));
    }
  }

  // Every key in the bucket, to see that a check wrote nothing or cleaned up.
  static std::vector<std::string> all_keys() {
    std::vector<std::string> keys;
    auto page = client_->list_objects({.bucket = bucket_});
    EXPECT_TRUE(page.has_value());
    if (page)
      for (const auto& o : page->objects) keys.push_back(o.key);
    return keys;
  }

  // `s5j check SIDE --json` with the given endpoints; the side's JSON line.
  static nlohmann::ordered_json check(const std::string& side, const std::string& src_prefix,
                                      const std::string& dst_prefix,
                              const std::string& src_endpoint = testing::endpoint_a(),
                              const std::string& dst_endpoint = testing::endpoint_a(), const Keys& dst_keys = {}) {
    const auto dir = testing::make_temp_dir("caps");
    const auto config = write_config(dir, bucket_, src_prefix, src_endpoint, dst_prefix, dst_endpoint, dst_keys);
    auto r = s5j({"check", side, "-c", config, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return nlohmann::ordered_json::parse(r.out);
  }

  static inline std::unique_ptr<s3::S3Client> client_;
  static inline std::string bucket_;
  static inline const std::vector<std::string> kFeatures = {
      "list_objects_v2", "sorted_listing", "conditional_get", "head_part_number", "ranged_get", "server_side_copy",
      "content_md5", "additional_checksums", "chunked_payload_signing", "virtual_host_addressing"};
};

std::string state(const nlohmann::ordered_json& report, const std::string& feature) {
  return report["capabilities"][feature]["state"].get<std::string>();
}

TEST_F(CheckCapabilities, DestinationOnRgwShowsWhatTheGatewayHonoursAndKeepsNoProbeObject) {
  const auto before = all_keys();
  const auto j = check("dst", "data/", "out/");
  const auto& caps = j["capabilities"];
  ASSERT_EQ(caps.size(), kFeatures.size()) << j.dump(2);
  size_t i = 0;
  for (const auto& [name, entry] : caps.items()) {
    EXPECT_EQ(name, kFeatures[i++]);
    EXPECT_FALSE(entry["detail"].get<std::string>().empty()) << name;
    EXPECT_EQ(entry["detail"].get<std::string>().find('\n'), std::string::npos) << name;
  }
  EXPECT_EQ(state(j, "list_objects_v2"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "sorted_listing"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "conditional_get"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "head_part_number"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "ranged_get"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "server_side_copy"), "supported") << j.dump(2);
  EXPECT_EQ(j["server_side_copy"], "supported");  // the old key stays
  EXPECT_EQ(state(j, "content_md5"), "supported") << j.dump(2);
  // Debian 12's RGW (Ceph 16) knows nothing of x-amz-checksum-*: it accepts
  // a wrong one and stores none.
  EXPECT_EQ(state(j, "additional_checksums"), "unsupported") << j.dump(2);
  EXPECT_NE(caps["additional_checksums"]["detail"].get<std::string>().find("ignored"), std::string::npos);
  EXPECT_EQ(state(j, "chunked_payload_signing"), "not_probed");
  EXPECT_EQ(state(j, "virtual_host_addressing"), "not_probed");
  EXPECT_NE(caps["virtual_host_addressing"]["detail"].get<std::string>().find("path-style"), std::string::npos);
  // The count does not see the probe objects, and none is left behind.
  EXPECT_EQ(j["objects"], 2);
  EXPECT_EQ(j["warnings"].size(), 0u) << j.dump(2);
  EXPECT_EQ(all_keys(), before);
}

TEST_F(CheckCapabilities, SourceWithObjectsIsProbedByReadingOnly) {
  const auto before = all_keys();
  const auto j = check("src", "data/", "out/");
  EXPECT_EQ(state(j, "conditional_get"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "head_part_number"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "ranged_get"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "sorted_listing"), "supported") << j.dump(2);
  for (const char* f : {"content_md5", "additional_checksums"}) {
    EXPECT_EQ(state(j, f), "not_probed") << f;
    EXPECT_EQ(j["capabilities"][f]["detail"], "s5j only reads the source");
  }
  EXPECT_EQ(all_keys(), before);
}

TEST_F(CheckCapabilities, SourceOfAnEmptyPrefixKnowsOnlyWhatNeedsNoObject) {
  const auto j = check("src", "nothing-here/", "out/");
  EXPECT_EQ(j["objects"], 0);
  EXPECT_EQ(state(j, "list_objects_v2"), "supported");
  EXPECT_EQ(state(j, "sorted_listing"), "unknown");
  for (const char* f : {"conditional_get", "head_part_number", "ranged_get"}) {
    EXPECT_EQ(state(j, f), "unknown") << f;
    EXPECT_EQ(j["capabilities"][f]["detail"], "no object under the prefix") << f;
  }
  EXPECT_EQ(state(j, "server_side_copy"), "supported");
  for (const char* f : {"content_md5", "additional_checksums", "chunked_payload_signing", "virtual_host_addressing"})
    EXPECT_EQ(state(j, f), "not_probed") << f;
}

TEST_F(CheckCapabilities, TextOutputHasTheBlockInOrder) {
  const auto dir = testing::make_temp_dir("caps");
  const auto config = write_config(dir, bucket_, "data/", testing::endpoint_a(), "out/", testing::endpoint_a());
  auto r = s5j({"check", "dst", "-c", config});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto block = r.out.find("  capabilities:\n");
  ASSERT_NE(block, std::string::npos) << r.out;
  size_t last = block;
  for (const auto& f : kFeatures) {
    const auto at = r.out.find("    " + f + " ", block);
    ASSERT_NE(at, std::string::npos) << f << "\n" << r.out;
    EXPECT_GT(at, last) << f;
    last = at;
  }
  EXPECT_TRUE(std::regex_search(r.out, std::regex("conditional_get +supported +412 ")));
}

// Read-only credentials at the destination: the probe object cannot be
// written, so what needs it is unknown with the reason, the check still
// passes, and no delete is attempted for objects that were never written.
TEST_F(CheckCapabilities, ReadOnlyDestinationLeavesWriteProbesUnknownWithoutFailing) {
  testing::grant_limited_user(testing::endpoint_a(), bucket_, {"s3:ListBucket", "s3:GetObject"});
  const auto j = check("dst", "data/", "out/", testing::endpoint_a(), testing::endpoint_a(),
                       {testing::limited_access_key(), testing::limited_secret_key()});
  testing::remove_bucket_policy(testing::endpoint_a(), bucket_);
  EXPECT_EQ(j["ok"], true) << j.dump(2);
  EXPECT_EQ(state(j, "list_objects_v2"), "supported") << j.dump(2);
  for (const char* f : {"conditional_get", "head_part_number", "ranged_get", "content_md5", "additional_checksums"}) {
    EXPECT_EQ(state(j, f), "unknown") << f << "\n" << j.dump(2);
    EXPECT_NE(j["capabilities"][f]["detail"].get<std::string>().find("AccessDenied (HTTP 403)"), std::string::npos)
        << f << "\n" << j.dump(2);
  }
  EXPECT_EQ(j["warnings"].size(), 0u) << j.dump(2);
}

// A server without conditional reads: the proxy answers 501 to every
// request that carries If-Match. The check says so and does not fail.
TEST_F(CheckCapabilities, RefusedIfMatchIsUnsupported) {
  FaultProxy front({.upstream = testing::endpoint_a(),
                    .plan = {.rate = 1.0, .kinds = {FaultKind::not_implemented}, .filter = {.headers = {"if-match"}}}});
  const auto before = all_keys();
  const auto j = check("dst", "data/", "out/", testing::endpoint_a(), front.url());
  EXPECT_EQ(state(j, "conditional_get"), "unsupported") << j.dump(2);
  EXPECT_NE(j["capabilities"]["conditional_get"]["detail"].get<std::string>().find("501"), std::string::npos);
  EXPECT_EQ(state(j, "head_part_number"), "supported") << j.dump(2);
  EXPECT_EQ(state(j, "ranged_get"), "supported") << j.dump(2);
  EXPECT_EQ(front.counters().faulted(FaultKind::not_implemented), 1u);
  EXPECT_EQ(all_keys(), before);
}

TEST_F(CheckCapabilities, RefusedPartNumberHeadIsUnsupported) {
  FaultProxy front({.upstream = testing::endpoint_a(),
                    .plan = {.rate = 1.0,
                             .kinds = {FaultKind::not_implemented},
                             .filter = {.methods = {"HEAD"}, .query = std::regex("partNumber=")}}});
  const auto j = check("src", "data/", "out/", front.url());
  EXPECT_EQ(state(j, "head_part_number"), "unsupported") << j.dump(2);
  EXPECT_NE(j["capabilities"]["head_part_number"]["detail"].get<std::string>().find("501"), std::string::npos);
  EXPECT_EQ(state(j, "conditional_get"), "supported") << j.dump(2);
  EXPECT_EQ(front.counters().faulted(FaultKind::not_implemented), 1u);
}

}  // namespace
}  // namespace s5j
