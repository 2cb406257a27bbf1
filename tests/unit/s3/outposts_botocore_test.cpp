// S3 on Outposts, differential: for requests to Outposts access points
// given as ARNs (with and without a custom endpoint), s5j's client sends
// what botocore's client sends: the same host and path, the same query,
// and the same Authorization (signing name s3-outposts, the ARN's region).
// tools/outposts_oracle.py lets a real botocore client build and sign each
// request and prints it; a missing interpreter or botocore fails the test.
// Also: which ARNs are refused, and how.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "s3/outposts_arn.h"
#include "s3/s3_client.h"
#include "support/fake_clock.h"
#include "support/fake_transport.h"
#include "support/test_env.h"

namespace s5j::s3 {
namespace {

using nlohmann::json;

std::string run_oracle(int& exit_status) {
  const char* python_env = std::getenv("S5J_ORACLE_PYTHON");
  const std::string python = (python_env != nullptr && *python_env != '\0') ? python_env : "/usr/bin/python3";
  const std::string command = "'" + python + "' '" + testing::source_dir() + "/tools/outposts_oracle.py'";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[1 << 14];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  exit_status = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return out;
}

// "https://host/path?b=2&a=1" -> {"https://host/path", {"a=1", "b=2"}}:
// the query's order is the serializer's; the signature covers it sorted.
std::pair<std::string, std::set<std::string>> split_url(const std::string& url) {
  const size_t q = url.find('?');
  std::set<std::string> query;
  if (q != std::string::npos) {
    std::istringstream in(url.substr(q + 1));
    std::string item;
    while (std::getline(in, item, '&')) query.insert(item);
  }
  return {url.substr(0, q), query};
}

std::chrono::system_clock::time_point parse_amz_date(const std::string& ts) {
  using namespace std::chrono;
  const int y = std::stoi(ts.substr(0, 4));
  const unsigned mo = static_cast<unsigned>(std::stoi(ts.substr(4, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(ts.substr(6, 2)));
  return sys_days{year{y} / month{mo} / day{d}} + hours{std::stoi(ts.substr(9, 2))} +
         minutes{std::stoi(ts.substr(11, 2))} + seconds{std::stoi(ts.substr(13, 2))};
}

TEST(OutpostsBotocore, RequestsToAccessPointsAreAddressedAndSignedAsBotocoreDoes) {
  int exit_status = -1;
  const std::string output = run_oracle(exit_status);
  ASSERT_EQ(exit_status, 0) << "tools/outposts_oracle.py failed; it needs /usr/bin/python3 with python3-botocore";
  int cases = 0;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const json c = json::parse(line);
    ++cases;
    auto ap = parse_outposts_arn(c["arn"].get<std::string>());
    ASSERT_TRUE(ap.has_value()) << ap.error().message;
    testing::FakeClock clock;
    clock.set_wall(parse_amz_date(c["amz_date"]));
    auto transport = std::make_shared<testing::FakeTransport>([](const testing::RecordedRequest& r, int) {
      testing::FakeAnswer a;
      if (r.method == "GET")
        a.body = "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>";
      if (r.method == "DELETE") a.status = 204;
      return a;
    });
    ClientOptions options;
    options.endpoint_urls = {c["endpoint"].is_null() ? ap->default_endpoint() : c["endpoint"].get<std::string>()};
    options.region = "us-east-1";  // the ARN's region is used
    options.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
    options.outposts = *ap;
    options.list_api = ListApi::v2;
    auto client = make_client(options, transport, clock);
    ASSERT_TRUE(client.has_value()) << client.error().message;
    const std::string bucket = c["arn"], op = c["op"];
    const json& params = c["params"];
    if (op == "HeadObject") {
      (void)(*client)->head_object(bucket, params["Key"]);
    } else if (op == "DeleteObject") {
      (void)(*client)->delete_object(bucket, params["Key"]);
    } else {
      ListRequest list;
      list.bucket = bucket;
      list.prefix = params["Prefix"];
      list.max_keys = params["MaxKeys"];
      (void)(*client)->list_objects(list);
    }
    const auto sent = transport->requests();
    ASSERT_FALSE(sent.empty()) << op;
    const auto& r = sent.front();
    const std::string what = op + " " + bucket + " via " + c["endpoint"].dump();
    EXPECT_EQ(r.method, c["method"].get<std::string>()) << what;
    EXPECT_EQ(split_url(r.url), split_url(c["url"])) << what << "\n s5j: " << r.url << "\n boto: " << c["url"];
    EXPECT_EQ(r.header("Authorization"), c["authorization"].get<std::string>()) << what;
  }
  EXPECT_EQ(cases, 12);
}

TEST(OutpostsArn, ReadsBothSeparatorsAndDerivesTheEndpoint) {
  auto a = parse_outposts_arn("arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my-ap");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, (OutpostsAccessPoint{"aws", "us-west-2", "123456789012", "op-01ac5d28a6a232904", "my-ap"}));
  EXPECT_EQ(a->host_prefix(), "my-ap-123456789012.op-01ac5d28a6a232904");
  EXPECT_EQ(a->default_endpoint(), "https://s3-outposts.us-west-2.amazonaws.com");
  auto b = parse_outposts_arn("arn:aws-cn:s3-outposts:cn-north-1:123456789012:outpost:op-1:accesspoint:ap");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->default_endpoint(), "https://s3-outposts.cn-north-1.amazonaws.com.cn");
}

TEST(OutpostsArn, RefusesWhatIsNotAnOutpostsAccessPointSayingWhatOneLooksLike) {
  for (const char* bad : {
           "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap",               // a plain S3 access point
           "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/bucket/b",  // an Outposts bucket ARN
           "arn:aws:s3-outposts:us-west-2:12345:outpost/op-1/accesspoint/ap",    // short account
           "arn:aws:s3-outposts::123456789012:outpost/op-1/accesspoint/ap",      // no region
           "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/accesspoint/a_p",
           "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/accesspoint/ap/extra",
           "arn:moon:s3-outposts:us-west-2:123456789012:outpost/op-1/accesspoint/ap",
           "arn:aws:s3-outposts"}) {
    auto r = parse_outposts_arn(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "InvalidBucketName");
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("accesspoint/<name>"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace s5j::s3
