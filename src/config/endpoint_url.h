// Endpoint and proxy URL checks for config.yaml.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace s5j::config {

// Checks an S3 endpoint URL and returns its normal form
// "scheme://host[:port]": scheme http or https (lower-cased), a host name,
// IPv4 address or [IPv6] literal, an optional port 1-65535, no path beyond
// trailing slashes (which are dropped), no query, no fragment and no
// "user:password@". The error text never repeats user-info from the URL.
std::expected<std::string, std::string> normalize_endpoint_url(std::string_view url);

// "https://s3.<region>.amazonaws.com" (".amazonaws.com.cn" for cn-* regions).
std::string aws_default_endpoint(std::string_view region);

// The password in "scheme://user:password@host...", empty when there is none.
std::string url_password(std::string_view url);

// `url` with any "user[:password]@" replaced by "***@", for messages.
std::string mask_url_credentials(std::string_view url);

}  // namespace s5j::config
