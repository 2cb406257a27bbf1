// S3 on Outposts: a bucket given as an Outposts access-point ARN,
//   arn:<partition>:s3-outposts:<region>:<account>:outpost/<outpost-id>/accesspoint/<name>
// (':' may stand for each '/' after the account, as botocore accepts), is
// addressed and signed as AWS does it (botocore's endpoint rules, checked
// by tests/unit/s3/outposts_botocore_test.cpp):
//   host    <name>-<account>.<outpost-id>.<endpoint host>, the endpoint being
//           s3-outposts.<region>.amazonaws.com (.com.cn in aws-cn) unless
//           the side gives endpoint_urls;
//   path    /<key> (the access point is the host, never in the path);
//   signing service "s3-outposts", the ARN's region.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace s5j::s3 {

struct OutpostsAccessPoint {
  std::string partition;  // "aws", "aws-cn", "aws-us-gov"
  std::string region;
  std::string account;    // 12 digits
  std::string outpost_id;
  std::string name;
  bool operator==(const OutpostsAccessPoint&) const = default;

  // What comes before the endpoint's host: "<name>-<account>.<outpost-id>".
  std::string host_prefix() const;
  // "https://s3-outposts.<region>.amazonaws.com" (".com.cn" in aws-cn).
  std::string default_endpoint() const;
};

inline constexpr std::string_view kOutpostsSigningName = "s3-outposts";

bool is_arn(std::string_view bucket);  // starts with "arn:"
// Errors (permanent, "InvalidBucketName") say what is wrong and what an
// Outposts access-point ARN looks like.
Result<OutpostsAccessPoint> parse_outposts_arn(std::string_view arn);

}  // namespace s5j::s3
