#include "http/listen_address.h"

#include <gtest/gtest.h>

namespace s5j::http {
namespace {

TEST(ListenAddress, AcceptsIpv4Ipv6AndLocalhost) {
  auto a = parse_listen_address("127.0.0.1:9464");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  EXPECT_FALSE(a->ipv6);
  EXPECT_EQ(a->to_string(), "127.0.0.1:9464");

  auto v6 = parse_listen_address("[::1]:8080");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_TRUE(v6->ipv6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->to_string(), "[::1]:8080");

  auto local = parse_listen_address("localhost:0");
  ASSERT_TRUE(local) << local.error();
  EXPECT_EQ(local->to_string(), "127.0.0.1:0");
}

TEST(ListenAddress, KnowsLoopbackFromTheRest) {
  for (const char* loop : {"127.0.0.1:1", "127.8.9.10:1", "[::1]:1", "localhost:1"})
    EXPECT_TRUE(parse_listen_address(loop)->loopback()) << loop;
  for (const char* open : {"0.0.0.0:1", "10.0.0.5:1", "[::]:1", "[fe80::1]:1", "128.0.0.1:1"})
    EXPECT_FALSE(parse_listen_address(open)->loopback()) << open;
}

TEST(ListenAddress, RefusesWhatIsNotHostPortWithAnAddress) {
  for (const char* bad : {"9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x1", ":9464",
                          "example.com:9464", "[::1:9464", "[zz]:1", "1.2.3:4"}) {
    auto r = parse_listen_address(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find(std::string("'") + bad + "'"), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("HOST:PORT"), std::string::npos) << r.error();
  }
}

}  // namespace
}  // namespace s5j::http
