#include "support/bucket_policy.h"

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/test_env.h"

namespace s5j::testing {
namespace {

ProcessResult owner_curl(const std::string& method, const std::string& url, const std::string& body) {
  std::vector<std::string> argv{program_path("curl"), "-sS", "-f", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                                access_key() + ":" + secret_key(), "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                                "-X", method};
  if (!body.empty()) {
    argv.push_back("--data-binary");
    argv.push_back(body);
  }
  argv.push_back(url);
  return run_process(argv);
}

}  // namespace

void grant_limited_user(const std::string& endpoint, const std::string& bucket,
                        const std::vector<std::string>& actions) {
  std::string list;
  for (const auto& a : actions) list += (list.empty() ? "\"" : ",\"") + a + "\"";
  const std::string policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[")" +
                             limited_user_arn() + R"("]},"Action":[)" + list + R"(],"Resource":["arn:aws:s3:::)" +
                             bucket + R"(","arn:aws:s3:::)" + bucket + R"(/*"]}]})";
  // curl signs "policy=" right, not "policy".
  auto r = owner_curl("PUT", endpoint + "/" + bucket + "?policy=", policy);
  ASSERT_EQ(r.exit_code, 0) << "PutBucketPolicy failed: " << r.err << r.out;
}

void remove_bucket_policy(const std::string& endpoint, const std::string& bucket) {
  auto r = owner_curl("DELETE", endpoint + "/" + bucket + "?policy=", "");
  ASSERT_EQ(r.exit_code, 0) << "DeleteBucketPolicy failed: " << r.err << r.out;
}

}  // namespace s5j::testing
