// Differential test: the requests s5j's client sends with additional
// checksums (PutObject and UploadPart with x-amz-checksum-crc32c,
// CreateMultipartUpload with the algorithm, CompleteMultipartUpload with
// each part's and the whole object's checksum, HEAD with checksum mode)
// against the requests botocore builds for the same parameters
// (tools/checksum_shapes_oracle.py; Debian's /usr/bin/python3 with
// python3-botocore). Method, path, query, every header with "checksum" in
// its name and the Complete body's parts must agree. A missing interpreter
// or botocore makes the test fail, never skip.
//
// What botocore 1.29 cannot check (it predates them): x-amz-checksum-type
// (FULL_OBJECT, which s5j sends on Create and Complete) and CRC64NVME.
// Those are checked below against AWS's documented names only: the same
// shapes with CRC64NVME / crc64nvme in place of CRC32C / crc32c.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "s3/s3_client.h"
#include "support/fake_s3_client.h"
#include "support/test_env.h"

namespace s5j::s3 {
namespace {

using nlohmann::json;
using testing::FakeAnswer;
using testing::RecordedRequest;

constexpr char kBucket[] = "bkt";
constexpr char kKey[] = "dir/obj.bin";
constexpr char kUploadId[] = "upload-1";
constexpr char kBody[] = "123456789";
constexpr char kCrc32c[] = "4waSgw==";

std::map<std::string, json> run_oracle() {
  const char* python_env = std::getenv("S5J_ORACLE_PYTHON");
  const std::string python = (python_env != nullptr && *python_env != '\0') ? python_env : "/usr/bin/python3";
  const std::string command = "'" + python + "' '" + testing::source_dir() + "/tools/checksum_shapes_oracle.py'";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << "oracle failed: " << command;
  std::map<std::string, json> cases;
  size_t start = 0;
  while (start < output.size()) {
    const size_t end = output.find('\n', start);
    const std::string line = output.substr(start, end - start);
    if (!line.empty()) {
      const json j = json::parse(line);
      cases[j.at("case").get<std::string>()] = j;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return cases;
}

// The client's side of one case: what it sent, reduced as the oracle
// reduces botocore's request.
struct Sent {
  std::string method;
  std::string path;
  std::set<std::string> query;
  std::map<std::string, std::string> checksum_headers;
  std::vector<std::map<std::string, std::string>> parts;
};

std::string unescape_quotes(std::string s) {
  for (size_t at; (at = s.find("&quot;")) != std::string::npos;) s.replace(at, 6, "\"");
  return s;
}

Sent reduce(const RecordedRequest& r) {
  Sent s;
  s.method = r.method;
  std::string url = r.url.substr(r.url.find("://") + 3);
  url = url.substr(url.find('/'));
  const size_t q = url.find('?');
  s.path = url.substr(0, q);
  if (q != std::string::npos) {
    std::string query = url.substr(q + 1);
    size_t start = 0;
    while (true) {
      const size_t amp = query.find('&', start);
      std::string param = query.substr(start, amp - start);
      if (param.ends_with("=")) param.pop_back();  // "uploads=" is botocore's "uploads"
      s.query.insert(param);
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  for (const auto& [name, value] : r.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find("checksum") != std::string::npos) s.checksum_headers[lower] = value;
  }
  static const std::regex part_re("<Part>(.*?)</Part>");
  static const std::regex child_re("<([A-Za-z0-9]+)>([^<]*)</\\1>");
  for (auto p = std::sregex_iterator(r.body.begin(), r.body.end(), part_re); p != std::sregex_iterator(); ++p) {
    std::map<std::string, std::string> part;
    const std::string inner = (*p)[1];
    for (auto c = std::sregex_iterator(inner.begin(), inner.end(), child_re); c != std::sregex_iterator(); ++c)
      part[(*c)[1]] = unescape_quotes((*c)[2]);
    s.parts.push_back(std::move(part));
  }
  return s;
}

Sent reduce(const json& j) {
  Sent s;
  s.method = j.at("method");
  const std::string url = j.at("path_query");
  const size_t q = url.find('?');
  s.path = url.substr(0, q);
  if (q != std::string::npos) {
    const std::string query = url.substr(q + 1);
    size_t start = 0;
    while (true) {
      const size_t amp = query.find('&', start);
      s.query.insert(query.substr(start, amp - start));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  for (const auto& [name, value] : j.at("headers").items()) s.checksum_headers[name] = value.get<std::string>();
  for (const auto& part : j.at("parts")) {
    std::map<std::string, std::string> p;
    for (const auto& [name, value] : part.items()) p[name] = value.get<std::string>();
    s.parts.push_back(std::move(p));
  }
  return s;
}

// Every request the client sends, answered as S3 would.
FakeAnswer answer(const RecordedRequest& r, int) {
  FakeAnswer a;
  if (r.method == "POST" && r.url.find("?uploads") != std::string::npos) {
    a.body = "<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>upload-1</UploadId>"
             "</InitiateMultipartUploadResult>";
  } else if (r.method == "POST") {
    a.body = "<CompleteMultipartUploadResult><ETag>\"abc-2\"</ETag></CompleteMultipartUploadResult>";
  } else {
    a.headers = {{"ETag", "\"0123456789abcdef0123456789abcdef\""}, {"Content-Length", "9"}};
  }
  return a;
}

class ChecksumShapes : public ::testing::Test {
 protected:
  ChecksumShapes() : client_(answer) {}
  Sent last() { return reduce(client_.transport->requests().back()); }
  testing::FakeS3Client client_;
};

void expect_same(const Sent& ours, const json& botocore, const std::set<std::string>& only_ours = {}) {
  const Sent theirs = reduce(botocore);
  EXPECT_EQ(ours.method, theirs.method);
  EXPECT_EQ(ours.path, theirs.path);
  EXPECT_EQ(ours.query, theirs.query);
  auto headers = ours.checksum_headers;
  for (const auto& name : only_ours) EXPECT_EQ(headers.erase(name), 1u) << name;
  EXPECT_EQ(headers, theirs.checksum_headers);
  EXPECT_EQ(ours.parts, theirs.parts);
}

TEST_F(ChecksumShapes, AgreeWithBotocoreForCrc32c) {
  const auto oracle = run_oracle();
  ASSERT_EQ(oracle.size(), 5u) << "the oracle printed no cases: is python3-botocore installed?";
  const AdditionalChecksum crc{ChecksumAlgorithm::crc32c, kCrc32c};

  BodySource body{.size = 9, .data = kBody, .checksum = crc};
  ASSERT_TRUE(client_.client->put_object(kBucket, kKey, body).has_value());
  expect_same(last(), oracle.at("put_object"));

  ASSERT_TRUE(client_.client->upload_part(kBucket, kKey, kUploadId, 2, body).has_value());
  expect_same(last(), oracle.at("upload_part"));

  PutOptions create;
  create.checksum_algorithm = ChecksumAlgorithm::crc32c;
  ASSERT_TRUE(client_.client->create_multipart_upload(kBucket, kKey, create).has_value());
  expect_same(last(), oracle.at("create_multipart_upload"), {"x-amz-checksum-type"});
  EXPECT_EQ(last().checksum_headers["x-amz-checksum-type"], "FULL_OBJECT");

  const std::vector<CompletedPart> parts{
      {1, "0123456789abcdef0123456789abcdef", {ChecksumAlgorithm::crc32c, "AAAAAA=="}},
      {2, "fedcba9876543210fedcba9876543210", crc}};
  ASSERT_TRUE(client_.client->complete_multipart_upload(kBucket, kKey, kUploadId, parts, crc).has_value());
  expect_same(last(), oracle.at("complete_multipart_upload"), {"x-amz-checksum-type"});
  EXPECT_EQ(last().checksum_headers["x-amz-checksum-type"], "FULL_OBJECT");

  ASSERT_TRUE(client_.client->head_object(kBucket, kKey, {.checksum_mode = true}).has_value());
  expect_same(last(), oracle.at("head_object"));
}

// Not checkable with botocore 1.29 (no CRC64NVME): AWS's documented names.
TEST_F(ChecksumShapes, Crc64NvmeTakesTheSameShapesUnderItsOwnNames) {
  const AdditionalChecksum crc{ChecksumAlgorithm::crc64nvme, "rosUhgp5mIg="};
  BodySource body{.size = 9, .data = kBody, .checksum = crc};
  ASSERT_TRUE(client_.client->put_object(kBucket, kKey, body).has_value());
  EXPECT_EQ(last().checksum_headers, (std::map<std::string, std::string>{
                                         {"x-amz-checksum-crc64nvme", "rosUhgp5mIg="},
                                         {"x-amz-sdk-checksum-algorithm", "CRC64NVME"}}));
  PutOptions create;
  create.checksum_algorithm = ChecksumAlgorithm::crc64nvme;
  ASSERT_TRUE(client_.client->create_multipart_upload(kBucket, kKey, create).has_value());
  EXPECT_EQ(last().checksum_headers, (std::map<std::string, std::string>{{"x-amz-checksum-algorithm", "CRC64NVME"},
                                                                         {"x-amz-checksum-type", "FULL_OBJECT"}}));
  ASSERT_TRUE(client_.client->complete_multipart_upload(kBucket, kKey, kUploadId, {{1, "e", crc}}, crc).has_value());
  EXPECT_EQ(last().checksum_headers, (std::map<std::string, std::string>{{"x-amz-checksum-crc64nvme", "rosUhgp5mIg="},
                                                                         {"x-amz-checksum-type", "FULL_OBJECT"}}));
  EXPECT_EQ(last().parts, (std::vector<std::map<std::string, std::string>>{
                              {{"PartNumber", "1"}, {"ETag", "\"e\""}, {"ChecksumCRC64NVME", "rosUhgp5mIg="}}}));
}

// Without a checksum nothing of the kind is sent.
TEST_F(ChecksumShapes, NoChecksumNoHeaders) {
  BodySource body{.size = 9, .data = kBody};
  ASSERT_TRUE(client_.client->put_object(kBucket, kKey, body).has_value());
  EXPECT_TRUE(last().checksum_headers.empty());
  ASSERT_TRUE(client_.client->create_multipart_upload(kBucket, kKey).has_value());
  EXPECT_TRUE(last().checksum_headers.empty());
  ASSERT_TRUE(client_.client->complete_multipart_upload(kBucket, kKey, kUploadId, {{1, "e"}}).has_value());
  EXPECT_TRUE(last().checksum_headers.empty());
  EXPECT_EQ(last().parts, (std::vector<std::map<std::string, std::string>>{{{"PartNumber", "1"}, {"ETag", "\"e\""}}}));
}

}  // namespace
}  // namespace s5j::s3
