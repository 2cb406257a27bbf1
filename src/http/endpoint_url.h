// Endpoint URLs: the one parser of "scheme://host[:port]" base URLs, used by
// config (checking and normalising config.yaml's endpoint_urls) and by s3
// (the endpoints a client sends to), so both accept exactly the same URLs.
// Request URLs with paths are libcurl's business (curl_transport.cpp).
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace s5j::http {

struct EndpointUrl {
  std::string scheme;  // "http" or "https" (lower case)
  std::string host;    // lower-cased host name, IPv4 address or "[IPv6]" literal
  std::string port;    // digits as written, 1-65535; empty when the URL has none

  // "scheme://host[:port]": the normal form, port kept when written.
  std::string normal() const;
  // What the Host header carries: host, plus ":port" unless the port is the
  // scheme's default (80 for http, 443 for https).
  std::string host_header() const;
};

// Parses an S3 endpoint URL: scheme http or https, a host name, IPv4 address
// or [IPv6] literal, an optional port 1-65535, nothing after it but trailing
// slashes (dropped); no path, query, fragment or "user:password@". The error
// is "invalid endpoint URL '<url>': <why and the fix>" and never repeats
// user-info from the URL.
std::expected<EndpointUrl, std::string> parse_endpoint_url(std::string_view url);

// The password in "scheme://user:password@host...", empty when there is none.
std::string url_password(std::string_view url);

// `url` with any "user[:password]@" replaced by "***@", for messages.
std::string mask_url_credentials(std::string_view url);

}  // namespace s5j::http
