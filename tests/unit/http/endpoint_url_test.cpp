#include "http/endpoint_url.h"

#include <gtest/gtest.h>

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

TEST(UrlCredentials, PasswordAndMask) {
  EXPECT_EQ(url_password("http://user:pa:ss@proxy:3128"), "pa:ss");
  EXPECT_EQ(url_password("http://user@proxy:3128"), "");
  EXPECT_EQ(url_password("http://proxy:3128"), "");
  EXPECT_EQ(mask_url_credentials("http://user:pw@proxy:3128/x"), "http://***@proxy:3128/x");
  EXPECT_EQ(mask_url_credentials("http://proxy:3128"), "http://proxy:3128");
}

}  // namespace
}  // namespace s5j::http
