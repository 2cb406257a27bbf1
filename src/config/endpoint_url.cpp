#include "config/endpoint_url.h"

#include "http/endpoint_url.h"

namespace s5j::config {

std::expected<std::string, std::string> normalize_endpoint_url(std::string_view url) {
  auto parsed = http::parse_endpoint_url(url);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return parsed->normal();
}

std::string aws_default_endpoint(std::string_view region) {
  const std::string r(region);
  return "https://s3." + r + (r.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
}

}  // namespace s5j::config
