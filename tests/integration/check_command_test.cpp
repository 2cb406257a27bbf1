// `s5j check` end to end: the real binary against a real RGW, as an
// operator runs it: exact counts, and the documented exit codes and
// one-line errors for a wrong secret, an unknown bucket and a closed port.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "http/curl_transport.h"
#include "s3/s3_client.h"
#include "support/local_http_server.h"
#include "support/process.h"
#include "support/test_env.h"

namespace s5j {
namespace {

using testing::ProcessResult;
using testing::run_process;

struct SideSpec {
  std::string bucket;
  std::string prefix;
  std::vector<std::string> endpoints;
  std::string secret = testing::secret_key();
};

std::string write_config(const std::string& dir, const SideSpec& src, const SideSpec& dst) {
  auto side = [](const char* name, const SideSpec& s) {
    std::string y = std::string(name) + ":\n  bucket: " + s.bucket + "\n  bucket_prefix: \"" + s.prefix +
                    "\"\n  region: us-east-1\n  access_key: " + testing::access_key() +
                    "\n  secret_access_key: " + s.secret + "\n  endpoint_urls:\n";
    for (auto& e : s.endpoints) y += "    - " + e + "\n";
    return y;
  };
  std::string path = dir + "/config.yaml";
  std::ofstream(path) << side("source", src) << side("destination", dst) << "log:\n  dir: " << dir << "/logs\n";
  chmod(path.c_str(), 0600);
  return path;
}

ProcessResult s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  // No ambient credentials may leak into what a test checks.
  return run_process(argv, {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=",
                            "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"});
}

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

class CheckCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s3::ClientOptions options;
    options.endpoint_urls = {testing::endpoint_a()};
    options.credentials = {testing::access_key(), testing::secret_key(), ""};
    client_ = std::move(*s3::make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{})));
    bucket_ = testing::unique_bucket_name("check");
    ASSERT_TRUE(client_->create_bucket(bucket_).has_value());
    // 37 objects under data/ (sizes 0, 100, ..., 3600) and 3 outside it.
    for (int i = 0; i < 37; ++i) {
      std::string body(static_cast<size_t>(i) * 100, 'x');
      ASSERT_TRUE(client_->put_object(bucket_, "data/obj " + std::to_string(i),
                                      s3::BodySource{.size = body.size(), .data = body}));
    }
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(client_->put_object(bucket_, "other/" + std::to_string(i), s3::BodySource{.size = 5, .data = "12345"}));
  }
  static inline std::unique_ptr<s3::S3Client> client_;
  static inline std::string bucket_;
  static constexpr uint64_t kBytes = 100ull * (36 * 37 / 2);
};

TEST_F(CheckCommand, ReportsExactCountAndBytesAsJson) {
  auto dir = testing::make_temp_dir("check");
  auto config = write_config(dir, {bucket_, "data/", {testing::endpoint_a()}}, {bucket_, "other/", {testing::endpoint_a()}});
  auto r = s5j({"check", "src", "-c", config, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(count_lines(r.out), 1) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["side"], "source");
  EXPECT_EQ(j["bucket"], bucket_);
  EXPECT_EQ(j["prefix"], "data/");
  EXPECT_EQ(j["objects"], 37);
  EXPECT_EQ(j["bytes"], kBytes);
  EXPECT_EQ(j["authenticated"], true);
  EXPECT_EQ(j["list_v2"], true);
  EXPECT_EQ(j["server_side_copy"], "supported");
  ASSERT_EQ(j["endpoints"].size(), 1u);
  EXPECT_EQ(j["endpoints"][0]["url"], testing::endpoint_a());
  EXPECT_EQ(j["endpoints"][0]["ok"], true);
  EXPECT_EQ(r.out.find(testing::secret_key()), std::string::npos);
}

TEST_F(CheckCommand, BothSidesInText) {
  auto dir = testing::make_temp_dir("check");
  auto config = write_config(dir, {bucket_, "data/", {testing::endpoint_a()}}, {bucket_, "other/", {testing::endpoint_a()}});
  auto r = s5j({"check", "-c", config});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("source: s3://" + bucket_ + "/data/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("destination: s3://" + bucket_ + "/other/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("37 (" + std::to_string(kBytes) + " bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 (15 bytes"), std::string::npos) << r.out;
}

TEST_F(CheckCommand, WrongSecretExits4WithOneLineError) {
  auto dir = testing::make_temp_dir("check");
  SideSpec bad{bucket_, "data/", {testing::endpoint_a()}, "this-is-the-wrong-secret-key-000000000000"};
  auto config = write_config(dir, bad, bad);
  auto r = s5j({"check", "src", "-c", config});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("secret_access_key"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("this-is-the-wrong-secret"), std::string::npos);
  EXPECT_EQ(r.out.find("this-is-the-wrong-secret"), std::string::npos);
}

TEST_F(CheckCommand, UnknownBucketExits6) {
  auto dir = testing::make_temp_dir("check");
  SideSpec missing{bucket_ + "-does-not-exist", "", {testing::endpoint_a()}};
  auto config = write_config(dir, missing, missing);
  auto r = s5j({"check", "src", "-c", config, "--json"});
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["code"], "NoSuchBucket");
  EXPECT_EQ(j["authenticated"], true);
}

TEST_F(CheckCommand, ClosedPortExits7) {
  auto dir = testing::make_temp_dir("check");
  SideSpec closed{bucket_, "", {"http://127.0.0.1:1"}};
  auto config = write_config(dir, closed, closed);
  auto r = s5j({"check", "dst", "-c", config});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
}

TEST_F(CheckCommand, OneDeadEndpointOfThreeIsAWarningNotAFailure) {
  auto dir = testing::make_temp_dir("check");
  // The same gateway under a second name (the loader drops repeated URLs).
  std::string alias = testing::endpoint_a();
  alias.replace(alias.find("127.0.0.1"), 9, "localhost");
  SideSpec pool{bucket_, "data/", {testing::endpoint_a(), "http://127.0.0.1:1", alias}};
  auto config = write_config(dir, pool, pool);
  auto r = s5j({"check", "src", "-c", config, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["objects"], 37);
  EXPECT_EQ(j["endpoints"][0]["ok"], true);
  EXPECT_EQ(j["endpoints"][1]["ok"], false);
  EXPECT_EQ(j["endpoints"][2]["ok"], true);
  EXPECT_EQ(j["warnings"].size(), 1u);
}

TEST(CheckCommandEndpoint, PlainHttpServerIsNotS3Exits9) {
  testing::LocalHttpServer web([](const testing::HttpRequest&) {
    return testing::HttpAction::respond(404, "<html><body>It works, but it is not S3</body></html>",
                                        {{"Content-Type", "text/html"}});
  });
  auto dir = testing::make_temp_dir("check");
  SideSpec web_side{"bucket", "", {web.url()}};
  auto config = write_config(dir, web_side, web_side);
  auto r = s5j({"check", "src", "-c", config});
  EXPECT_EQ(r.exit_code, 9) << r.out << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("not as an S3 server"), std::string::npos) << r.err;
}

TEST(CheckCommandConfig, MissingConfigExits3) {
  auto r = s5j({"check", "-c", "/nonexistent/config.yaml"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/config.yaml"), std::string::npos) << r.err;
}

TEST(CheckCommandConfig, BadCommandLineExits2) {
  auto r = s5j({"check", "sideways"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

}  // namespace
}  // namespace s5j
