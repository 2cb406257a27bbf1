#include "s3/outposts_arn.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace s5j::s3 {
namespace {

constexpr const char* kShape =
    "an Outposts access point is "
    "arn:aws:s3-outposts:<region>:<account>:outpost/<outpost-id>/accesspoint/<name>";

Error invalid(std::string_view arn, const std::string& why) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = "InvalidBucketName";
  e.message = "'" + std::string(arn) + "' " + why + "; " + kShape;
  return e;
}

std::vector<std::string> split(std::string_view s, char sep, size_t max_parts) {
  std::vector<std::string> out;
  while (out.size() + 1 < max_parts) {
    const size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    out.emplace_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  out.emplace_back(s);
  return out;
}

// A DNS label as AWS allows in these names: letters, digits and hyphens,
// not starting or ending with a hyphen.
bool dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

}  // namespace

std::string OutpostsAccessPoint::host_prefix() const { return name + "-" + account + "." + outpost_id; }

std::string OutpostsAccessPoint::default_endpoint() const {
  return "https://s3-outposts." + region + (partition == "aws-cn" ? ".amazonaws.com.cn" : ".amazonaws.com");
}

bool is_arn(std::string_view bucket) { return bucket.starts_with("arn:"); }

Result<OutpostsAccessPoint> parse_outposts_arn(std::string_view arn) {
  // arn : partition : service : region : account : resource
  const auto parts = split(arn, ':', 6);
  if (parts.size() != 6 || parts[0] != "arn") return std::unexpected(invalid(arn, "is not a whole ARN"));
  OutpostsAccessPoint ap;
  ap.partition = parts[1];
  if (ap.partition != "aws" && ap.partition != "aws-cn" && ap.partition != "aws-us-gov")
    return std::unexpected(invalid(arn, "names an unknown partition '" + ap.partition + "'"));
  if (parts[2] != kOutpostsSigningName)
    return std::unexpected(invalid(arn, "is an ARN of '" + parts[2] + "', not of s3-outposts: only Outposts access "
                                        "points are taken as buckets"));
  ap.region = parts[3];
  if (!dns_label(ap.region)) return std::unexpected(invalid(arn, "has no region"));
  ap.account = parts[4];
  if (ap.account.size() != 12 || !std::all_of(ap.account.begin(), ap.account.end(), ::isdigit))
    return std::unexpected(invalid(arn, "has no 12-digit account id"));
  std::string resource = parts[5];
  std::replace(resource.begin(), resource.end(), ':', '/');
  const auto r = split(resource, '/', 5);
  if (r.size() != 4 || r[0] != "outpost" || r[2] != "accesspoint")
    return std::unexpected(invalid(arn, "does not name outpost/<outpost-id>/accesspoint/<name>"));
  ap.outpost_id = r[1];
  ap.name = r[3];
  if (!dns_label(ap.outpost_id)) return std::unexpected(invalid(arn, "has an invalid outpost id"));
  if (!dns_label(ap.name)) return std::unexpected(invalid(arn, "has an invalid access point name"));
  return ap;
}

}  // namespace s5j::s3
