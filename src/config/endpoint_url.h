// Endpoint URLs in config.yaml: checked and normalised by the one endpoint
// parser (http/endpoint_url.h), and AWS's default endpoint for a region.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace s5j::config {

// http::parse_endpoint_url's normal form, "scheme://host[:port]" (scheme and
// host lower-cased, trailing slashes dropped), or its one-line error.
std::expected<std::string, std::string> normalize_endpoint_url(std::string_view url);

// "https://s3.<region>.amazonaws.com" (".amazonaws.com.cn" for cn-* regions).
std::string aws_default_endpoint(std::string_view region);

}  // namespace s5j::config
