#include "http/endpoint_url.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace s5j::http {
namespace {

// The user-info of a URL: from after "://" (or the start) to the last '@'.
// Taking the last '@' rather than stopping at the first '/' matters because
// AWS secret keys contain '/' and people paste them unencoded.
std::string_view userinfo_of(std::string_view url, size_t* start = nullptr) {
  const size_t scheme_end = url.find("://");
  const size_t begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < begin) return {};
  if (start != nullptr) *start = begin;
  return url.substr(begin, at - begin);
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '.' || host.front() == '-' || host.back() == '-') return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return host.find("..") == std::string_view::npos;
}

bool valid_ipv6_literal(std::string_view inner) {
  if (inner.empty()) return false;
  for (char c : inner) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return inner.find(':') != std::string_view::npos;
}

// "http//host", "https:/host", "http:host": a scheme written without its
// "://", as the URL it was meant to be; empty when `url` does not start
// with such a scheme (a bare "host" or "host:port").
std::string with_scheme_separator_fixed(std::string_view url) {
  for (std::string_view scheme : {"https", "http"}) {
    if (url.size() <= scheme.size() || to_lower(url.substr(0, scheme.size())) != scheme) continue;
    std::string_view rest = url.substr(scheme.size());
    const bool colon = rest.front() == ':';
    if (colon) rest.remove_prefix(1);
    const size_t slashes = std::min(rest.find_first_not_of('/'), rest.size());
    if (!colon && slashes == 0) return {};  // "httpbin.lan": a host that starts with "http"
    rest.remove_prefix(slashes);
    // "http:8080" is a host called http with a port, not a scheme.
    if (rest.empty() || (colon && slashes == 0 && rest.find_first_not_of("0123456789") == std::string_view::npos)) {
      return {};
    }
    return std::string(scheme) + "://" + std::string(rest);
  }
  return {};
}

}  // namespace

std::string url_password(std::string_view url) {
  const std::string_view userinfo = userinfo_of(url);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  return std::string(userinfo.substr(colon + 1));
}

std::string mask_url_credentials(std::string_view url) {
  size_t start = 0;
  const std::string_view userinfo = userinfo_of(url, &start);
  if (userinfo.empty() && url.find('@') == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, start));
  out += "***";
  out += url.substr(start + userinfo.size());
  return out;
}

std::expected<EndpointUrl, std::string> parse_endpoint_url(std::string_view url) {
  const std::string shown = mask_url_credentials(url);
  const auto bad = [&](std::string why) { return std::unexpected("invalid endpoint URL '" + shown + "': " + why); };
  if (url.find('@') != std::string_view::npos) {
    return bad("credentials do not belong in the URL; use access_key and secret_access_key");
  }
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    if (const std::string meant = with_scheme_separator_fixed(shown); !meant.empty()) {
      return bad("the scheme needs '://' after it: write '" + meant + "'");
    }
    return bad("it needs a scheme, e.g. 'https://" + shown + "' (or 'http://HOST:8080' for a legacy Snowball)");
  }
  const std::string scheme = to_lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return bad("the scheme must be http or https, not '" + scheme + "'");
  for (char c : url) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) {
      return bad("it contains white space");
    }
  }
  if (url.find('?') != std::string_view::npos) return bad("remove the query ('?...')");
  if (url.find('#') != std::string_view::npos) return bad("remove the fragment ('#...')");
  const size_t auth_start = scheme_end + 3;
  const size_t auth_end = url.find('/', auth_start);
  const std::string_view auth =
      url.substr(auth_start, auth_end == std::string_view::npos ? url.npos : auth_end - auth_start);
  const std::string_view rest = url.substr(auth_start + auth.size());
  if (auth.empty()) {
    // "http:///host": the host was taken for a path.
    const std::string_view meant = rest.substr(std::min(rest.find_first_not_of('/'), rest.size()));
    if (meant.empty()) return bad("it has no host");
    if (meant.find('/') == std::string_view::npos) {
      return bad("too many slashes after the scheme: write '" + scheme + "://" + std::string(meant) + "'");
    }
  }
  if (rest.find_first_not_of('/') != std::string_view::npos) {
    return bad("an endpoint is only scheme, host and port; remove the path '" + std::string(rest) +
               "' (put a bucket name in 'bucket' and a folder in 'prefix')");
  }
  std::string_view host = auth;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos || !valid_ipv6_literal(host.substr(1, close - 1))) {
      return bad("the IPv6 address in brackets is malformed");
    }
    const std::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return bad("the port after ':' is empty");
    }
  } else {
    const size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      if (port.empty()) return bad("the port after ':' is empty");
    }
    if (host.empty()) return bad("it has no host");
    if (!valid_host_name(host)) return bad("'" + std::string(host) + "' is not a valid host name");
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad("the port must be a number from 1 to 65535");
    }
    const int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) return bad("the port must be a number from 1 to 65535");
  }
  return EndpointUrl{scheme, to_lower(host), std::string(port)};
}

std::string EndpointUrl::normal() const { return port.empty() ? scheme + "://" + host : scheme + "://" + host + ":" + port; }

std::string EndpointUrl::host_header() const {
  const bool default_port = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  return default_port ? host : host + ":" + port;
}

}  // namespace s5j::http
