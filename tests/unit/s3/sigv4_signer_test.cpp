#include "s3/sigv4_signer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "base/strings.h"

namespace s5j::s3 {
namespace {

using namespace std::chrono;
using std::string;

// AWS S3 API reference, "Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk", worked examples.
// The canonical requests below hash to the values AWS publishes in the
// string to sign (7344ae5b..., 9e0e90d9..., 9766c798..., df57d21d...).
constexpr const char* kExampleAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kExampleHost = "examplebucket.s3.amazonaws.com";
const system_clock::time_point kExampleTime = sys_days{2013y / May / 24};

SigV4Signer example_signer() { return SigV4Signer(Credentials{kExampleAccessKey, kExampleSecret, ""}); }

SigningRequest example_request(string method, string path) {
  SigningRequest r;
  r.method = std::move(method);
  r.host = kExampleHost;
  r.encoded_path = std::move(path);
  r.payload_sha256 = string(kEmptyPayloadSha256);
  r.region = "us-east-1";
  r.time = kExampleTime;
  return r;
}

string signed_headers_of(const SignedHeaders& s) {
  const auto auth = http::find_header(s.headers, "Authorization");
  if (!auth) return {};
  const auto from = auth->find("SignedHeaders=") + 14;
  return string(auth->substr(from, auth->find(',', from) - from));
}

TEST(SigV4AwsExamples, GetObjectWithRange) {
  auto r = example_request("GET", encode_virtual_hosted("test.txt"));
  r.headers = {{"Range", "bytes=0-9"}};
  const auto s = example_signer().sign(r);
  EXPECT_EQ(s.canonical_request,
            "GET\n"
            "/test.txt\n"
            "\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "range:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n"
            "\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(http::find_header(s.headers, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(http::find_header(s.headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(http::find_header(s.headers, "x-amz-content-sha256"), kEmptyPayloadSha256);
  EXPECT_FALSE(http::find_header(s.headers, "x-amz-security-token"));
}

TEST(SigV4AwsExamples, PutObjectWithStorageClassAndDate) {
  const string payload = sha256_hex("Welcome to Amazon S3.");
  ASSERT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  auto r = example_request("PUT", encode_virtual_hosted("test$file.text"));
  r.payload_sha256 = payload;
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  const auto s = example_signer().sign(r);
  EXPECT_EQ(s.canonical_request,
            "PUT\n"
            "/test%24file.text\n"
            "\n"
            "date:Fri, 24 May 2013 00:00:00 GMT\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
            "x-amz-date:20130524T000000Z\n"
            "x-amz-storage-class:REDUCED_REDUNDANCY\n"
            "\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4AwsExamples, GetBucketLifecycle) {
  auto r = example_request("GET", "/");
  r.query = {{"lifecycle", ""}};
  const auto s = example_signer().sign(r);
  EXPECT_EQ(s.canonical_request,
            "GET\n"
            "/\n"
            "lifecycle=\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n"
            "\n"
            "host;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4AwsExamples, GetBucketListObjects) {
  auto r = example_request("GET", "/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // given unsorted on purpose
  const auto s = example_signer().sign(r);
  EXPECT_EQ(s.canonical_request,
            "GET\n"
            "/\n"
            "max-keys=2&prefix=J\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n"
            "\n"
            "host;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(Sha256Hex, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CanonicalHeaders, LowerCasesTrimsCollapsesSortsAndJoinsDuplicates) {
  const auto [block, names] = canonical_headers({
      {"X-Amz-Meta-B", "  two   words\there  "},
      {"Content-Type", "text/plain"},
      {"x-amz-meta-dup", " first "},
      {"X-AMZ-META-DUP", "second\t\tvalue"},
      {"x-amz-meta-empty", "   "},
      {"Host", "h:9000"},
  });
  EXPECT_EQ(block,
            "content-type:text/plain\n"
            "host:h:9000\n"
            "x-amz-meta-b:two words here\n"
            "x-amz-meta-dup:first,second value\n"
            "x-amz-meta-empty:\n");
  EXPECT_EQ(names, "content-type;host;x-amz-meta-b;x-amz-meta-dup;x-amz-meta-empty");
}

TEST(CanonicalHeaders, DuplicateOrderIsTheCallersNotTheValues) {
  const auto [block, names] = canonical_headers({{"x-a", "z"}, {"x-b", "1"}, {"X-A", "a"}});
  EXPECT_EQ(block, "x-a:z,a\nx-b:1\n");
  EXPECT_EQ(names, "x-a;x-b");
}

TEST(CanonicalHeaders, ManyHeadersStillSortStably) {
  http::Headers headers;
  for (int i = 60; i-- > 0;) headers.push_back({"x-amz-meta-k" + std::to_string(i % 30), std::to_string(i)});
  const auto [block, names] = canonical_headers(headers);
  // k0 gets values 30 then 0 (caller order), k1 gets 31 then 1, ...
  EXPECT_NE(block.find("x-amz-meta-k0:30,0\n"), string::npos);
  EXPECT_NE(block.find("x-amz-meta-k29:59,29\n"), string::npos);
  EXPECT_EQ(names.rfind("x-amz-meta-k0;x-amz-meta-k1;x-amz-meta-k10;", 0), 0u);
}

TEST(SigV4Signer, SignsEveryCallerHeaderExceptTheUnsignedOnes) {
  auto r = example_request("PUT", "/bucket/key");
  r.headers = {{"Content-Type", "application/octet-stream"},
               {"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
               {"x-amz-copy-source", "/src/k%20ey"},
               {"X-Amz-Meta-Color", "blue"},
               {"User-Agent", "s5j/0.1"},
               {"Expect", "100-continue"},
               {"X-Amzn-Trace-Id", "Root=1"}};
  const auto s = example_signer().sign(r);
  EXPECT_EQ(signed_headers_of(s),
            "content-md5;content-type;host;x-amz-content-sha256;x-amz-copy-source;x-amz-date;x-amz-meta-color");
  EXPECT_EQ(s.canonical_request.find("user-agent"), string::npos);
  EXPECT_EQ(s.canonical_request.find("expect"), string::npos);
  EXPECT_EQ(s.canonical_request.find("trace"), string::npos);

  // The unsigned headers do not change the signature.
  auto without = r;
  without.headers.resize(4);
  EXPECT_EQ(example_signer().sign(without).signature, s.signature);
}

TEST(SigV4Signer, SignerOwnedHeadersFromTheCallerAreReplaced) {
  const auto plain = example_signer().sign(example_request("GET", "/k"));
  auto r = example_request("GET", "/k");
  r.headers = {{"Host", "evil.example"},
               {"X-Amz-Date", "19990101T000000Z"},
               {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
               {"Authorization", "stale"}};
  const auto s = example_signer().sign(r);
  EXPECT_EQ(s.canonical_request, plain.canonical_request);
  EXPECT_EQ(s.signature, plain.signature);
}

TEST(SigV4Signer, HostWithPortIsSignedAsGiven) {
  auto r = example_request("GET", "/b/k");
  r.host = "192.168.1.10:8080";
  const auto s = example_signer().sign(r);
  EXPECT_NE(s.canonical_request.find("\nhost:192.168.1.10:8080\n"), string::npos);
}

TEST(SigV4Signer, PathIsSignedExactlyAsGiven) {
  const string path = encode_path_style("bucket", "/a//b/./c/../d e+");
  ASSERT_EQ(path, "/bucket//a//b/./c/../d%20e%2B");
  const auto s = example_signer().sign(example_request("GET", path));
  EXPECT_EQ(s.canonical_request.rfind("GET\n/bucket//a//b/./c/../d%20e%2B\n\n", 0), 0u);
}

TEST(SigV4Signer, MultipartQueryParameters) {
  auto r = example_request("POST", "/bucket/key");
  r.query = {{"uploads", ""}};
  EXPECT_NE(example_signer().sign(r).canonical_request.find("\nuploads=\n"), string::npos);
  r.query = {{"uploadId", "2~x/y+z="}, {"partNumber", "12"}};
  EXPECT_NE(example_signer().sign(r).canonical_request.find("\npartNumber=12&uploadId=2~x%2Fy%2Bz%3D\n"),
            string::npos);
}

TEST(SigV4Signer, UnsignedPayload) {
  auto r = example_request("PUT", "/bucket/key");
  r.payload_sha256 = string(kUnsignedPayload);
  const auto s = example_signer().sign(r);
  EXPECT_TRUE(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_NE(s.canonical_request.find("\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"), string::npos);
  EXPECT_EQ(http::find_header(s.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST(SigV4Signer, SessionTokenIsSentAndSigned) {
  SigV4Signer signer(Credentials{"ASIAEXAMPLE", "secret", "tok/en+=="});
  const auto s = signer.sign(example_request("GET", "/k"));
  EXPECT_EQ(http::find_header(s.headers, "x-amz-security-token"), "tok/en+==");
  EXPECT_NE(s.canonical_request.find("\nx-amz-security-token:tok/en+==\n"), string::npos);
  EXPECT_EQ(signed_headers_of(s), "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  EXPECT_EQ(http::find_header(s.headers, "Authorization")->find("Credential=ASIAEXAMPLE/20130524/us-east-1/s3/"),
            17u);

  // A caller-supplied token is replaced by the credentials' one...
  auto r = example_request("GET", "/k");
  r.headers = {{"X-Amz-Security-Token", "other"}};
  EXPECT_EQ(signer.sign(r).signature, s.signature);
  // ...and, without session credentials, signed like any caller header.
  EXPECT_EQ(signed_headers_of(example_signer().sign(r)), "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
}

TEST(SigV4Signer, DateTimeIsUtcAndTruncatedToTheSecond) {
  const system_clock::time_point times[] = {
      sys_days{2024y / February / 29} + 23h + 59min + 59s + 999ms,
      sys_days{1999y / December / 31} + 1h + 2min + 3s,
      sys_days{2038y / January / 19} + 3h + 14min + 8s,
      system_clock::time_point{},
  };
  for (const auto t : times) {
    auto r = example_request("GET", "/");
    r.time = t;
    const auto s = example_signer().sign(r);
    EXPECT_EQ(http::find_header(s.headers, "x-amz-date"), format_amz_datetime(r.time));
    EXPECT_NE(s.string_to_sign.find("\n" + format_amz_date(r.time) + "/us-east-1/s3/aws4_request\n"), string::npos);
  }
}

TEST(SigV4Signer, KeyCacheFollowsDateRegionAndService) {
  // One signer reused across scopes must give what a fresh signer gives.
  const SigV4Signer reused = example_signer();
  struct Scope {
    system_clock::time_point time;
    const char* region;
    const char* service;
  };
  const Scope scopes[] = {
      {kExampleTime, "us-east-1", "s3"},       {kExampleTime, "snow", "s3"},
      {kExampleTime + 24h, "snow", "s3"},      {kExampleTime + 24h, "snow", "s3-outposts"},
      {kExampleTime, "us-east-1", "s3"},       {kExampleTime + 23h, "us-east-1", "s3"},
      {kExampleTime + 48h, "eu-west-1", "s3"},
  };
  string previous;
  for (const auto& sc : scopes) {
    auto r = example_request("GET", "/b/k");
    r.time = sc.time;
    r.region = sc.region;
    r.service = sc.service;
    const auto got = reused.sign(r);
    EXPECT_EQ(got.signature, example_signer().sign(r).signature) << sc.region << " " << sc.service;
    EXPECT_NE(got.signature, previous);
    previous = got.signature;
  }
}

TEST(SigV4Signer, ConcurrentSigningAcrossRegionsIsConsistent) {
  const SigV4Signer shared = example_signer();
  const char* regions[] = {"us-east-1", "snow", "eu-west-1", "ap-southeast-2"};
  std::vector<string> expected;
  for (const char* region : regions) {
    auto r = example_request("GET", "/b/k");
    r.region = region;
    expected.push_back(example_signer().sign(r).signature);
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const int which = (t + i) % 4;
        auto r = example_request("GET", "/b/k");
        r.region = regions[which];
        if (shared.sign(r).signature != expected[which]) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace s5j::s3
