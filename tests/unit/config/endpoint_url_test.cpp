#include "config/endpoint_url.h"

#include <gtest/gtest.h>

namespace s5j::config {
namespace {

TEST(NormalizeEndpointUrl, KeepsSchemeHostAndPort) {
  EXPECT_EQ(normalize_endpoint_url("https://s3.example.com").value(), "https://s3.example.com");
  EXPECT_EQ(normalize_endpoint_url("http://192.168.1.10:8080").value(), "http://192.168.1.10:8080");
  EXPECT_EQ(normalize_endpoint_url("https://[fd00::1]:8443").value(), "https://[fd00::1]:8443");
  EXPECT_EQ(normalize_endpoint_url("HTTPS://MinIO.Local:9000").value(), "https://minio.local:9000");
  EXPECT_EQ(normalize_endpoint_url("https://rgw_1.lan").value(), "https://rgw_1.lan");
}

TEST(NormalizeEndpointUrl, DropsTrailingSlashes) {
  EXPECT_EQ(normalize_endpoint_url("https://s3.example.com/").value(), "https://s3.example.com");
  EXPECT_EQ(normalize_endpoint_url("http://10.0.0.5:8080//").value(), "http://10.0.0.5:8080");
}

TEST(NormalizeEndpointUrl, RejectsWhatIsNotAnEndpoint) {
  const auto why = [](std::string_view url) {
    auto r = normalize_endpoint_url(url);
    EXPECT_FALSE(r.has_value()) << url;
    return r.has_value() ? std::string() : r.error();
  };
  EXPECT_NE(why("s3.example.com").find("needs a scheme"), std::string::npos);
  EXPECT_NE(why("ftp://s3.example.com").find("http or https"), std::string::npos);
  EXPECT_NE(why("https://").find("no host"), std::string::npos);
  EXPECT_NE(why("https://:8080").find("no host"), std::string::npos);
  EXPECT_NE(why("https://host:0").find("port"), std::string::npos);
  EXPECT_NE(why("https://host:65536").find("port"), std::string::npos);
  EXPECT_NE(why("https://host:80a").find("port"), std::string::npos);
  EXPECT_NE(why("https://host:").find("port"), std::string::npos);
  EXPECT_NE(why("https://host/bucket").find("path"), std::string::npos);
  EXPECT_NE(why("https://host?x=1").find("query"), std::string::npos);
  EXPECT_NE(why("https://host#frag").find("fragment"), std::string::npos);
  EXPECT_NE(why("https://ho st").find("white space"), std::string::npos);
  EXPECT_NE(why("https://bad..host").find("not a valid host"), std::string::npos);
  EXPECT_NE(why("https://[zz::1]").find("IPv6"), std::string::npos);
  EXPECT_NE(why("https://user:pw@host").find("credentials"), std::string::npos);
}

TEST(NormalizeEndpointUrl, NeverRepeatsUserInfo) {
  for (const char* url : {"https://AKIA:TopSecret99@host", "ftp://AKIA:TopSecret99@host", "AKIA:TopSecret99@host",
                          "https://AKIA:TopSecret99@host/path?q"}) {
    auto r = normalize_endpoint_url(url);
    ASSERT_FALSE(r.has_value()) << url;
    EXPECT_EQ(r.error().find("TopSecret99"), std::string::npos) << r.error();
  }
}

TEST(EndpointHelpers, AwsDefault) {
  EXPECT_EQ(aws_default_endpoint("us-west-2"), "https://s3.us-west-2.amazonaws.com");
  EXPECT_EQ(aws_default_endpoint("cn-north-1"), "https://s3.cn-north-1.amazonaws.com.cn");
}

}  // namespace
}  // namespace s5j::config
