// The keys of the `source` and `destination` sections: their rules and rows.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "base/strings.h"
#include "config/endpoint_url.h"
#include "config/key_table.h"
#include "http/endpoint_url.h"

namespace s5j::config::detail {

Problem set_endpoints(SideConfig& side, const std::vector<std::string>& urls) {
  std::vector<std::string> out;
  for (const std::string& raw : urls) {
    const std::string url(trim(raw));
    if (iequals(url, "no_endpoint")) {
      if (urls.size() > 1) return "mixes 'no_endpoint' with URLs; use either 'no_endpoint' or a list of URLs";
      side.endpoint_urls.clear();
      return std::nullopt;
    }
    auto normal = normalize_endpoint_url(url);
    if (!normal) return "has an " + normal.error();
    if (std::find(out.begin(), out.end(), *normal) == out.end()) out.push_back(*normal);
  }
  side.endpoint_urls = std::move(out);
  return std::nullopt;
}

namespace {

Problem check_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return "file " + in_quotes(path) + " cannot be used: " + std::strerror(errno) + " (give the path of a PEM file)";
  }
  if (S_ISDIR(st.st_mode)) return in_quotes(path) + " is a directory; give the path of a PEM file";
  if (::access(path.c_str(), R_OK) != 0) {
    return "file " + in_quotes(path) + " is not readable: " + std::strerror(errno) + " (check its permissions)";
  }
  return std::nullopt;
}

Problem side_bucket(Ctx& c, const Value& v) {
  const std::string& b = v.text;
  if (s3::is_arn(b)) {
    auto ap = s3::parse_outposts_arn(b);
    if (!ap) return ap.error().message;
    c.side->outposts = *ap;
    c.side->bucket = b;
    return std::nullopt;
  }
  if (b.starts_with("s3://") || b.starts_with("S3://")) {
    return "takes the bare bucket name, not an s3:// URL (got " + in_quotes(b) + ")";
  }
  if (const size_t slash = b.find('/'); slash != std::string::npos) {
    return "must be only the bucket name; move " + in_quotes(b.substr(slash + 1)) + " into 'prefix' (got " +
           in_quotes(b) + ")";
  }
  if (std::any_of(b.begin(), b.end(), [](unsigned char ch) { return std::isspace(ch) || std::iscntrl(ch); })) {
    return "must not contain white space (got " + in_quotes(b) + ")";
  }
  c.side->bucket = b;
  return std::nullopt;
}

Problem side_prefix(Ctx& c, const Value& v) {
  if (v.text.starts_with('/')) {
    const size_t first = v.text.find_first_not_of('/');
    const std::string fixed = first == std::string::npos ? std::string() : v.text.substr(first);
    return "must not start with '/': S3 keys have no leading slash; write " + in_quotes(fixed) + " instead of " +
           in_quotes(v.text);
  }
  c.side->prefix = v.text;  // a trailing '/' is kept exactly as given
  return std::nullopt;
}

Problem side_region(Ctx& c, const Value& v) {
  const std::string r = to_lower(v.text);
  const bool ok = std::all_of(r.begin(), r.end(), [](unsigned char ch) { return std::isalnum(ch) || ch == '-'; });
  if (!ok) return "must look like 'us-east-1' (or 'snow' for a Snowball Edge), got " + in_quotes(v.text);
  c.side->region = r;
  return std::nullopt;
}

Problem side_access_key(Ctx& c, const Value& v) {
  c.side->access_key = v.text;
  return std::nullopt;
}
Problem side_secret(Ctx& c, const Value& v) {
  c.side->secret_access_key = v.text;
  return std::nullopt;
}
Problem side_session_token(Ctx& c, const Value& v) {
  c.side->session_token = v.text;
  return std::nullopt;
}
Problem side_profile(Ctx& c, const Value& v) {
  c.side->profile = v.text;
  return std::nullopt;
}
Problem side_endpoints(Ctx& c, const Value& v) { return set_endpoints(*c.side, v.list); }

Problem side_list_api(Ctx& c, const Value& v) {
  using s3::ListApi;
  static const std::pair<std::string_view, ListApi> choices[] = {
      {"auto", ListApi::automatic}, {"v2", ListApi::v2}, {"v1", ListApi::v1}};
  return pick(v.text, choices, c.side->list_api);
}

Problem side_checksum_algorithm(Ctx& c, const Value& v) {
  if (c.side->name != "destination")
    return "applies to the destination only (the checksum s5j sends with its uploads); move it to 'destination'";
  using s3::ChecksumAlgorithm;
  static const std::pair<std::string_view, ChecksumAlgorithm> choices[] = {
      {"none", ChecksumAlgorithm::none}, {"crc32c", ChecksumAlgorithm::crc32c},
      {"crc64nvme", ChecksumAlgorithm::crc64nvme}};
  return pick(v.text, choices, c.side->checksum_algorithm);
}

Problem side_addressing(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, Addressing> choices[] = {{"path", Addressing::path},
                                                                    {"virtual", Addressing::virtual_hosted}};
  return pick(v.text, choices, c.side->addressing);
}

Problem side_ca_bundle(Ctx& c, const Value& v) {
  if (auto problem = check_readable_file(v.text)) return problem;
  c.side->network.ca_bundle = v.text;
  return std::nullopt;
}

Problem side_insecure(Ctx& c, const Value& v) {
  c.side->network.insecure_skip_verify = v.flag;
  return std::nullopt;
}

Problem side_proxy(Ctx& c, const Value& v) {
  const std::string shown = http::mask_url_credentials(v.text);
  const size_t sep = v.text.find("://");
  if (sep == std::string::npos) return "needs a scheme, e.g. 'http://" + shown + "'";
  const std::string scheme = to_lower(std::string_view(v.text).substr(0, sep));
  static constexpr std::string_view schemes[] = {"http", "https", "socks4", "socks4a", "socks5", "socks5h"};
  if (std::find(std::begin(schemes), std::end(schemes), scheme) == std::end(schemes)) {
    return "must use http, https, socks4, socks4a, socks5 or socks5h, got " + in_quotes(shown);
  }
  if (sep + 3 >= v.text.size()) return "has no host, got " + in_quotes(shown);
  c.side->network.proxy = v.text;
  return std::nullopt;
}

Problem side_interface(Ctx& c, const Value& v) {
  c.side->network.bind_interface = v.text;
  return std::nullopt;
}

Problem side_connect_timeout(Ctx& c, const Value& v) {
  if (v.seconds <= 0) return "must be more than 0 seconds, got " + in_quotes(v.text);
  if (v.seconds > 3600) return "must be at most 3600 seconds, got " + in_quotes(v.text);
  c.side->network.connect_timeout = std::chrono::milliseconds(static_cast<int64_t>(std::llround(v.seconds * 1000)));
  if (c.side->network.connect_timeout.count() == 0) return "must be at least 0.001 seconds, got " + in_quotes(v.text);
  return std::nullopt;
}

Problem side_low_speed_limit(Ctx& c, const Value& v) {
  c.side->network.low_speed_bytes_per_sec = v.bytes;  // 0 disables the check (libcurl's meaning)
  return std::nullopt;
}

Problem side_low_speed_time(Ctx& c, const Value& v) {
  if (v.count < 0) return "must be 0 or more seconds, got " + in_quotes(v.text);
  c.side->network.low_speed_time = std::chrono::seconds(v.count);
  return std::nullopt;
}

Problem side_max_requests(Ctx& c, const Value& v) {
  if (v.count < 1 || v.count > 4096) return "must be from 1 to 4096, got " + in_quotes(v.text);
  c.side->max_requests = static_cast<int>(v.count);
  return std::nullopt;
}

Problem side_max_bandwidth(Ctx& c, const Value& v) {
  c.side->network.max_bytes_per_sec = v.bytes;  // 0 = unlimited
  return std::nullopt;
}

using S = Section;
using T = Type;

const Key kSideKeys[] = {
    {S::side, "bucket", T::string, side_bucket},
    {S::side, "bucket_name", T::string, side_bucket, "bucket"},  // the original's spelling
    {S::side, "prefix", T::string, side_prefix},
    {S::side, "bucket_prefix", T::string, side_prefix, "prefix"},
    {S::side, "region", T::string, side_region},
    {S::side, "access_key", T::string, side_access_key},
    {S::side, "secret_access_key", T::secret, side_secret},
    {S::side, "secret_key", T::secret, side_secret, "secret_access_key"},
    {S::side, "session_token", T::secret, side_session_token},
    {S::side, "profile", T::string, side_profile},
    {S::side, "endpoint_urls", T::strings, side_endpoints},
    {S::side, "endpoint_url", T::strings, side_endpoints, "endpoint_urls"},
    {S::side, "list_api", T::string, side_list_api},
    {S::side, "addressing", T::string, side_addressing},
    {S::side, "checksum_algorithm", T::string, side_checksum_algorithm},
    {S::side, "ca_bundle", T::string, side_ca_bundle},
    {S::side, "insecure", T::boolean, side_insecure},
    {S::side, "insecure_skip_verify", T::boolean, side_insecure, "insecure"},
    {S::side, "proxy", T::secret_url, side_proxy},
    {S::side, "interface", T::string, side_interface},
    {S::side, "bind_interface", T::string, side_interface, "interface"},
    {S::side, "connect_timeout", T::seconds, side_connect_timeout},
    {S::side, "low_speed_limit", T::bandwidth, side_low_speed_limit},
    {S::side, "low_speed_time", T::count, side_low_speed_time},
    {S::side, "max_bandwidth", T::bandwidth, side_max_bandwidth},
    {S::side, "max_requests", T::count, side_max_requests},
};

}  // namespace

std::span<const Key> side_keys() { return kSideKeys; }

}  // namespace s5j::config::detail
