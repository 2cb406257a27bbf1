// FaultPlan decisions: reproducible from the seed, rate honoured, kinds
// parsed, filters and the S3 operation classifier.
#include "fault/fault_plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fault/fault_counters.h"

namespace s5j::testing {
namespace {

std::vector<std::optional<FaultKind>> sequence(uint64_t seed, double rate, const std::vector<FaultKind>& kinds,
                                               size_t n) {
  std::vector<std::optional<FaultKind>> out;
  for (size_t i = 0; i < n; ++i) out.push_back(decide_fault(seed, rate, kinds, i).kind);
  return out;
}

TEST(FaultPlan, SameSeedGivesSameDecisionsAndOtherSeedsDiffer) {
  const std::vector<FaultKind> kinds = {FaultKind::truncate, FaultKind::status_503, FaultKind::reset_before};
  EXPECT_EQ(sequence(42, 0.3, kinds, 500), sequence(42, 0.3, kinds, 500));
  EXPECT_NE(sequence(42, 0.3, kinds, 500), sequence(43, 0.3, kinds, 500));
  // Counter-based: request 7's decision does not depend on asking for 0..6 first.
  EXPECT_EQ(decide_fault(42, 0.3, kinds, 7).kind, sequence(42, 0.3, kinds, 8)[7]);
  EXPECT_EQ(decide_fault(42, 0.3, kinds, 7).param, decide_fault(42, 0.3, kinds, 7).param);
}

TEST(FaultPlan, RateZeroNeverAndRateOneAlwaysFaults) {
  const std::vector<FaultKind> kinds = {FaultKind::flip_byte};
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_FALSE(decide_fault(1, 0.0, kinds, i).kind.has_value());
    EXPECT_EQ(decide_fault(1, 1.0, kinds, i).kind, FaultKind::flip_byte);
  }
  EXPECT_FALSE(decide_fault(1, 1.0, {}, 0).kind.has_value());
}

TEST(FaultPlan, RateAndKindsAreDrawnInProportion) {
  const std::vector<FaultKind> kinds = {FaultKind::status_500, FaultKind::status_429};
  size_t faulted = 0, first_kind = 0;
  const size_t n = 20000;
  for (size_t i = 0; i < n; ++i) {
    auto d = decide_fault(9, 0.25, kinds, i);
    if (!d.kind) continue;
    ++faulted;
    if (*d.kind == FaultKind::status_500) ++first_kind;
  }
  // Binomial(20000, 0.25): sd ~61; the bounds are ~8 sd wide.
  EXPECT_GT(faulted, 4500u);
  EXPECT_LT(faulted, 5500u);
  EXPECT_GT(first_kind, faulted * 4 / 10);
  EXPECT_LT(first_kind, faulted * 6 / 10);

  size_t throttled = 0;
  for (size_t i = 0; i < n; ++i) throttled += decide_throttle(9, 0.5, i) ? 1 : 0;
  EXPECT_GT(throttled, 9000u);
  EXPECT_LT(throttled, 11000u);
}

TEST(FaultPlan, KindNamesRoundTripAndBadNamesAreReported) {
  ASSERT_EQ(all_fault_kinds().size(), kFaultKindCount);
  for (FaultKind k : all_fault_kinds()) EXPECT_EQ(parse_fault_kind(fault_kind_name(k)), k);
  auto kinds = parse_fault_kinds(
      "reset_before,reset_mid_body,truncate,flip_byte,status_500,status_503,status_429,request_timeout,slow,"
      "delay_past_timeout,down,not_implemented");
  ASSERT_TRUE(kinds.has_value());
  EXPECT_EQ(kinds->size(), 12u);
  EXPECT_EQ(parse_fault_kinds("")->size(), 0u);
  std::string bad;
  EXPECT_FALSE(parse_fault_kinds("truncate,explode", &bad).has_value());
  EXPECT_EQ(bad, "explode");
}

TEST(FaultPlan, HeaderFilterNeedsEveryNamedHeader) {
  RequestFilter filter{.headers = {"if-match"}};
  RequestInfo plain{"GET", "/b/k", "", false, {"host", "range"}};
  RequestInfo conditional{"GET", "/b/k", "", false, {"host", "if-match", "range"}};
  EXPECT_FALSE(filter.matches(plain));
  EXPECT_TRUE(filter.matches(conditional));
  filter.headers.push_back("x-amz-checksum-mode");
  EXPECT_FALSE(filter.matches(conditional));
}

TEST(FaultPlan, ClassifiesPathStyleOperations) {
  EXPECT_EQ(classify_operation("GET", "/", "", false), "ListBuckets");
  EXPECT_EQ(classify_operation("GET", "/b", "list-type=2&prefix=a", false), "ListObjectsV2");
  EXPECT_EQ(classify_operation("GET", "/b/", "prefix=a", false), "ListObjects");
  EXPECT_EQ(classify_operation("GET", "/b", "uploads", false), "ListMultipartUploads");
  EXPECT_EQ(classify_operation("PUT", "/b", "", false), "CreateBucket");
  EXPECT_EQ(classify_operation("HEAD", "/b", "", false), "HeadBucket");
  EXPECT_EQ(classify_operation("DELETE", "/b", "", false), "DeleteBucket");
  EXPECT_EQ(classify_operation("POST", "/b", "delete", false), "DeleteObjects");
  EXPECT_EQ(classify_operation("GET", "/b/k", "", false), "GetObject");
  EXPECT_EQ(classify_operation("GET", "/b/k", "uploadId=x", false), "ListParts");
  EXPECT_EQ(classify_operation("HEAD", "/b/a//k", "", false), "HeadObject");
  EXPECT_EQ(classify_operation("PUT", "/b/k", "", false), "PutObject");
  EXPECT_EQ(classify_operation("PUT", "/b/k", "", true), "CopyObject");
  EXPECT_EQ(classify_operation("PUT", "/b/k", "partNumber=3&uploadId=x", false), "UploadPart");
  EXPECT_EQ(classify_operation("PUT", "/b/k", "uploadId=x&partNumber=3", true), "UploadPartCopy");
  EXPECT_EQ(classify_operation("POST", "/b/k", "uploads", false), "CreateMultipartUpload");
  EXPECT_EQ(classify_operation("POST", "/b/k", "uploadId=x", false), "CompleteMultipartUpload");
  EXPECT_EQ(classify_operation("DELETE", "/b/k", "uploadId=x", false), "AbortMultipartUpload");
  EXPECT_EQ(classify_operation("DELETE", "/b/k", "", false), "DeleteObject");
  // A parameter name is matched whole, not as a prefix.
  EXPECT_EQ(classify_operation("PUT", "/b/k", "partNumberX=3&uploadId=x", false), "PutObject");
}

TEST(FaultPlan, FilterNeedsEveryGivenCriterion) {
  RequestFilter any;
  EXPECT_TRUE(any.matches({"DELETE", "/b/k", ""}));

  RequestFilter parts{.operations = {"UploadPart"}};
  EXPECT_TRUE(parts.matches({"PUT", "/b/k", "partNumber=1&uploadId=u"}));
  EXPECT_FALSE(parts.matches({"PUT", "/b/k", ""}));

  RequestFilter gets{.methods = {"GET"}, .path = std::regex("^/b/data/")};
  EXPECT_TRUE(gets.matches({"GET", "/b/data/1", ""}));
  EXPECT_FALSE(gets.matches({"GET", "/b/other", ""}));
  EXPECT_FALSE(gets.matches({"PUT", "/b/data/1", ""}));

  RequestFilter query{.query = std::regex("(^|&)uploadId=")};
  EXPECT_TRUE(query.matches({"POST", "/b/k", "uploadId=1"}));
  EXPECT_FALSE(query.matches({"POST", "/b/k", "uploads"}));
}

TEST(FaultCounters, JsonNamesEveryCounterAndKind) {
  FaultCounters c;
  c.requests_seen = 5;
  c.faulted_by_kind[static_cast<size_t>(FaultKind::slow)] = 2;
  c.bytes_to_client = 1234;
  const auto j = nlohmann::json::parse(c.to_json());
  EXPECT_EQ(j.at("requests_seen"), 5);
  EXPECT_EQ(j.at("bytes_to_client"), 1234);
  EXPECT_EQ(j.at("faults").at("slow"), 2);
  EXPECT_EQ(j.at("faults").size(), kFaultKindCount);
  for (const char* key : {"connections_accepted", "requests_forwarded", "requests_faulted", "throttled",
                          "faults_not_applicable", "upstream_failures", "down_windows", "bytes_to_upstream"})
    EXPECT_TRUE(j.contains(key)) << key;
}

}  // namespace
}  // namespace s5j::testing
