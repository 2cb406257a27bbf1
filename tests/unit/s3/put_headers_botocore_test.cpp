// Differential test: the headers s5j sends on PutObject,
// CreateMultipartUpload and CopyObject with landing options (storage class,
// SSE, SSE-KMS key id, tags, ACL, metadata, directives) against the headers
// botocore's rest-xml serializer builds from the same parameters
// (tools/put_headers_oracle.py, Debian's /usr/bin/python3 with
// python3-botocore). Headers only one side adds are left out: signing,
// Content-Length and Content-MD5 (s5j), none on botocore's side before
// signing. A missing interpreter or botocore fails the test, never skips.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/strings.h"
#include "s3/put_headers.h"
#include "s3/s3_client.h"
#include "support/fake_s3_client.h"
#include "support/test_env.h"

namespace s5j::s3 {
namespace {

using nlohmann::json;
using testing::FakeAnswer;
using testing::RecordedRequest;

// What s5j adds for the transport and signing, not the request's shape.
const std::vector<std::string> kOnlyS5j = {"authorization", "x-amz-date",   "x-amz-content-sha256", "content-length",
                                           "content-md5",   "host",         "user-agent",           "x-amz-security-token",
                                           "expect",        "transfer-encoding"};

struct Case {
  std::string name;
  std::string operation;  // botocore's
  json params;            // botocore's parameters
  std::vector<std::pair<std::string, std::string>> tags;
  std::function<void(S3Client&)> call;  // the same request through s5j
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// botocore's serialization of every case, one JSON object each.
std::vector<json> botocore_requests(const std::vector<Case>& cases, std::string& failure) {
  json input = json::array();
  for (const Case& c : cases) {
    json one{{"operation", c.operation}, {"params", c.params}, {"tags", json::array()}};
    for (const auto& [k, v] : c.tags) one["tags"].push_back({k, v});
    input.push_back(one);
  }
  const std::string path = ::testing::TempDir() + "/put_headers_cases.json";
  std::ofstream(path) << input.dump();
  const char* python_env = std::getenv("S5J_ORACLE_PYTHON");
  const std::string python = (python_env != nullptr && *python_env != '\0') ? python_env : "/usr/bin/python3";
  const std::string command = shell_quote(python) + " " +
                              shell_quote(testing::source_dir() + "/tools/put_headers_oracle.py") + " " +
                              shell_quote(path);
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    failure = "cannot run " + command;
    return {};
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    failure = "the oracle failed (" + command + "); see its stderr above";
    return {};
  }
  std::vector<json> out;
  size_t start = 0;
  while (start < output.size()) {
    const size_t end = output.find('\n', start);
    const std::string line = output.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty()) out.push_back(json::parse(line));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::map<std::string, std::string> shape_headers(const http::Headers& headers) {
  std::map<std::string, std::string> out;
  for (const auto& h : headers) {
    const std::string name = to_lower(h.name);
    if (std::find(kOnlyS5j.begin(), kOnlyS5j.end(), name) == kOnlyS5j.end()) out[name] = h.value;
  }
  return out;
}

FakeAnswer answer_for(const RecordedRequest& r, int) {
  FakeAnswer a;
  a.headers = {{"ETag", "\"9b2cf535f27731c974343645a3985328\""}};
  if (r.method == "POST")
    a.body = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId>"
             "</InitiateMultipartUploadResult>";
  if (!r.header("x-amz-copy-source").empty())
    a.body = "<CopyObjectResult><ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>";
  return a;
}

const std::string kBody = "landing";

PutOptions every_option() {
  PutOptions o;
  o.metadata.headers = {{"content-type", "text/csv"},
                        {"cache-control", "max-age=60"},
                        {"content-disposition", "attachment; filename=\"r.csv\""},
                        {"content-encoding", "gzip"},
                        {"content-language", "fr"},
                        {"expires", "Wed, 21 Oct 2037 07:28:00 GMT"},
                        {"x-amz-meta-origin", "forward edge"},
                        {"x-amz-meta-run", "42"}};
  o.storage_class = "STANDARD_IA";
  o.sse = "aws:kms";
  o.sse_kms_key_id = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  o.tags = {{"project", "survey 2024"}, {"a/b", "c=d&e"}, {"plus+", "~tilde_.-"}};
  o.acl = "bucket-owner-full-control";
  return o;
}

json every_option_params() {
  return {{"StorageClass", "STANDARD_IA"},
          {"ServerSideEncryption", "aws:kms"},
          {"SSEKMSKeyId", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
          {"ACL", "bucket-owner-full-control"},
          {"ContentType", "text/csv"},
          {"CacheControl", "max-age=60"},
          {"ContentDisposition", "attachment; filename=\"r.csv\""},
          {"ContentEncoding", "gzip"},
          {"ContentLanguage", "fr"},
          {"Expires", "Wed, 21 Oct 2037 07:28:00 GMT"},
          {"Metadata", {{"origin", "forward edge"}, {"run", "42"}}}};
}

json with(json base, const json& more) {
  for (auto it = more.begin(); it != more.end(); ++it) base[it.key()] = it.value();
  return base;
}

std::vector<Case> cases() {
  const BodySource body{.size = kBody.size(), .data = kBody};
  const auto tags = every_option().tags;
  std::vector<Case> out;
  out.push_back({"put every option", "PutObject", with(every_option_params(), {{"Bucket", "b"}, {"Key", "k/x y"}}), tags,
                 [=](S3Client& c) { (void)c.put_object("b", "k/x y", body, every_option()); }});
  out.push_back({"put SSE-S3 only", "PutObject",
                 {{"Bucket", "b"}, {"Key", "k"}, {"ServerSideEncryption", "AES256"}}, {},
                 [=](S3Client& c) { (void)c.put_object("b", "k", body, {.sse = "AES256"}); }});
  out.push_back({"put nothing", "PutObject", {{"Bucket", "b"}, {"Key", "k"}}, {},
                 [=](S3Client& c) { (void)c.put_object("b", "k", body); }});
  out.push_back({"create every option", "CreateMultipartUpload",
                 with(every_option_params(), {{"Bucket", "b"}, {"Key", "big"}}), tags,
                 [](S3Client& c) { (void)c.create_multipart_upload("b", "big", every_option()); }});
  out.push_back({"create storage class", "CreateMultipartUpload",
                 {{"Bucket", "b"}, {"Key", "big"}, {"StorageClass", "GLACIER"}}, {},
                 [](S3Client& c) { (void)c.create_multipart_upload("b", "big", {.storage_class = "GLACIER"}); }});
  out.push_back({"copy replacing metadata and tags", "CopyObject",
                 with(every_option_params(), {{"Bucket", "b"},
                                              {"Key", "copy"},
                                              {"CopySource", "src/a%20b"},
                                              {"CopySourceIfMatch", "\"9b2cf535f27731c974343645a3985328\""},
                                              {"MetadataDirective", "REPLACE"},
                                              {"TaggingDirective", "REPLACE"}}),
                 tags, [](S3Client& c) {
                   (void)c.copy_object("src", "a b", "b", "copy",
                                       {.if_match = "9b2cf535f27731c974343645a3985328",
                                        .landing = every_option(),
                                        .replace_metadata = true});
                 }});
  out.push_back({"copy keeping metadata", "CopyObject",
                 {{"Bucket", "b"},
                  {"Key", "copy"},
                  {"CopySource", "src/k"},
                  {"StorageClass", "STANDARD"},
                  {"ServerSideEncryption", "AES256"},
                  {"ACL", "private"}},
                 {}, [](S3Client& c) {
                   (void)c.copy_object("src", "k", "b", "copy",
                                       {.landing = {.storage_class = "STANDARD", .sse = "AES256", .acl = "private"}});
                 }});
  out.push_back({"copy replacing metadata by none", "CopyObject",
                 {{"Bucket", "b"}, {"Key", "copy"}, {"CopySource", "src/k"}, {"MetadataDirective", "REPLACE"}}, {},
                 [](S3Client& c) { (void)c.copy_object("src", "k", "b", "copy", {.replace_metadata = true}); }});
  return out;
}

TEST(PutHeadersBotocore, EveryWriteSendsBotocoresHeaders) {
  const auto all = cases();
  std::string failure;
  const auto expected = botocore_requests(all, failure);
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_EQ(expected.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(all[i].name);
    testing::FakeS3Client h(answer_for);
    all[i].call(*h.client);
    const auto requests = h.transport->requests();
    ASSERT_EQ(requests.size(), 1u);
    const RecordedRequest& sent = requests[0];
    EXPECT_EQ(sent.method, expected[i]["method"].get<std::string>());
    std::map<std::string, std::string> want;
    for (auto it = expected[i]["headers"].begin(); it != expected[i]["headers"].end(); ++it)
      want[it.key()] = it.value().get<std::string>();
    EXPECT_EQ(shape_headers(sent.headers), want);
    // The path (and ?uploads): botocore's url_path after the endpoint.
    const std::string url_path = expected[i]["url_path"].get<std::string>();
    EXPECT_TRUE(sent.url.ends_with(url_path) || sent.url.ends_with(url_path + "=")) << sent.url << " vs " << url_path;
  }
}

TEST(PutHeaders, TaggingEncodesNamesAndValuesAsQueryParameters) {
  EXPECT_EQ(tagging_value({{"project", "survey 2024"}, {"a/b", "c=d&e"}}), "project=survey%202024&a%2Fb=c%3Dd%26e");
  EXPECT_EQ(tagging_value({}), "");
}

TEST(PutHeaders, CopyWithoutReplacingSendsNoDirective) {
  const auto headers = copy_headers({.landing = {.storage_class = "STANDARD"}});
  for (const auto& h : headers) EXPECT_FALSE(h.name.ends_with("-directive")) << h.name;
}

}  // namespace
}  // namespace s5j::s3
