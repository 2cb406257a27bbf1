#include "http/endpoint_url.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace s5j::http {
namespace {

TEST(ParseEndpointUrl, SplitsSchemeHostAndPort) {
  auto u = parse_endpoint_url("HTTPS://RGW.Lan:8443/");
  ASSERT_TRUE(u.has_value()) << u.error();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "rgw.lan");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->normal(), "https://rgw.lan:8443");
  EXPECT_EQ(u->host_header(), "rgw.lan:8443");
  auto v6 = parse_endpoint_url("http://[fd00::1]:7480");
  ASSERT_TRUE(v6.has_value()) << v6.error();
  EXPECT_EQ(v6->host, "[fd00::1]");
  EXPECT_EQ(v6->host_header(), "[fd00::1]:7480");
}

// The Host header leaves out the scheme's default port (SigV4 signs it as
// the server sees it); the normal form keeps what was written.
TEST(ParseEndpointUrl, HostHeaderDropsTheDefaultPort) {
  EXPECT_EQ(parse_endpoint_url("https://s3.example.com:443")->host_header(), "s3.example.com");
  EXPECT_EQ(parse_endpoint_url("https://s3.example.com:443")->normal(), "https://s3.example.com:443");
  EXPECT_EQ(parse_endpoint_url("http://10.0.0.5:80")->host_header(), "10.0.0.5");
  EXPECT_EQ(parse_endpoint_url("http://10.0.0.5:443")->host_header(), "10.0.0.5:443");
  EXPECT_EQ(parse_endpoint_url("https://s3.example.com")->host_header(), "s3.example.com");
}

TEST(ParseEndpointUrl, ErrorsNameTheUrl) {
  auto r = parse_endpoint_url("https://host/bucket");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().rfind("invalid endpoint URL 'https://host/bucket': ", 0), 0u) << r.error();
  EXPECT_FALSE(parse_endpoint_url("https://user:TopSecret99@host").has_value());
  EXPECT_EQ(parse_endpoint_url("https://user:TopSecret99@host").error().find("TopSecret99"), std::string::npos);
}

// A scheme written without its "://" is suggested as the URL meant, not
// as a host under another scheme ("https://http//host").
TEST(ParseEndpointUrl, SchemeWithoutSeparatorSuggestsTheUrlMeant) {
  const auto why = [](std::string_view url) {
    auto r = parse_endpoint_url(url);
    EXPECT_FALSE(r.has_value()) << url;
    return r.has_value() ? std::string() : r.error();
  };
  for (const auto& [typed, meant] : std::vector<std::pair<std::string, std::string>>{
           {"http//rgw.lan", "http://rgw.lan"},
           {"https//rgw.lan:8443", "https://rgw.lan:8443"},
           {"https:/rgw.lan", "https://rgw.lan"},
           {"http:rgw.lan:7480", "http://rgw.lan:7480"},
           {"HTTP:///rgw.lan", "http://rgw.lan"},
           {"http/10.0.0.5", "http://10.0.0.5"}}) {
    const std::string error = why(typed);
    EXPECT_NE(error.find("write '" + meant + "'"), std::string::npos) << typed << ": " << error;
    EXPECT_EQ(error.find("https://http"), std::string::npos) << typed << ": " << error;
  }
  // Hosts that only start like a scheme keep the plain suggestion.
  EXPECT_NE(why("httpbin.lan").find("'https://httpbin.lan'"), std::string::npos) << why("httpbin.lan");
  EXPECT_NE(why("http:8080").find("needs a scheme"), std::string::npos) << why("http:8080");
  EXPECT_NE(why("s3.example.com").find("'https://s3.example.com'"), std::string::npos);
}

TEST(UrlCredentials, PasswordAndMask) {
  EXPECT_EQ(url_password("http://user:pa:ss@proxy:3128"), "pa:ss");
  EXPECT_EQ(url_password("http://user@proxy:3128"), "");
  EXPECT_EQ(url_password("http://proxy:3128"), "");
  EXPECT_EQ(mask_url_credentials("http://user:pw@proxy:3128/x"), "http://***@proxy:3128/x");
  EXPECT_EQ(mask_url_credentials("http://proxy:3128"), "http://proxy:3128");
}

}  // namespace
}  // namespace s5j::http
