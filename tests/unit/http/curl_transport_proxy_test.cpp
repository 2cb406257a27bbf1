// CurlTransport through an HTTP proxy that refuses (LocalHttpServer playing
// the proxy): each refusal as the Error the proxy's answer means, never
// showing the proxy's password. The real proxies (squid, dante) are in
// tests/integration/proxy_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "http/curl_transport.h"
#include "http/transport_error.h"
#include "support/local_http_server.h"
#include "unit/http/curl_test_support.h"

namespace s5j::http {
namespace {

using s5j::testing::HttpAction;
using s5j::testing::HttpRequest;
using s5j::testing::LocalHttpServer;

// `proxy` answering every request (a CONNECT, or a plain request's absolute
// URI) with `status`.
Result<Response> through_proxy(int status, const std::string& url, const std::string& credentials,
                               std::string* target = nullptr) {
  LocalHttpServer proxy([status](const HttpRequest&) { return HttpAction::respond(status, "<html>no</html>"); });
  NetworkOptions options = test_options();
  const std::string base = proxy.url();  // http://127.0.0.1:PORT
  options.proxy = credentials.empty() ? base : "http://" + credentials + "@" + base.substr(7);
  CurlTransport transport(options);
  auto result = transport.perform(get(url));
  if (target != nullptr && !proxy.requests().empty()) *target = proxy.requests().front().method;
  return result;
}

TEST(CurlTransportProxy, ConnectAnswered407IsPermanentProxyRejected) {
  std::string method;
  auto r = through_proxy(407, "https://127.0.0.1:9/b/k", "proxyuser7:PROXYSECRET", &method);
  EXPECT_EQ(method, "CONNECT");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kProxyRejected);
  EXPECT_EQ(r.error().kind, ErrorKind::permanent);
  EXPECT_EQ(connection_failure_of(r.error()), ConnectionFailure::proxy_rejected);
  const std::string all = r.error().describe();
  EXPECT_NE(all.find("refused the credentials in `proxy`"), std::string::npos) << all;
  EXPECT_NE(all.find("127.0.0.1:9"), std::string::npos) << all;
  EXPECT_EQ(all.find("PROXYSECRET"), std::string::npos) << all;
  EXPECT_EQ(all.find("proxyuser7"), std::string::npos) << all;
}

TEST(CurlTransportProxy, ProxyWantingCredentialsSaysWhereToGiveThem) {
  auto r = through_proxy(407, "https://127.0.0.1:9/b/k", "");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kProxyRejected);
  EXPECT_NE(r.error().message.find("USER:PASSWORD@"), std::string::npos) << r.error().message;
}

// A plain http endpoint is not tunnelled: the proxy's 407 arrives where the
// server's answer would.
TEST(CurlTransportProxy, PlainRequestAnswered407IsProxyRejected) {
  std::string method;
  auto r = through_proxy(407, "http://127.0.0.1:9/b/k", "proxyuser7:PROXYSECRET", &method);
  EXPECT_EQ(method, "GET");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kProxyRejected);
  EXPECT_EQ(r.error().describe().find("PROXYSECRET"), std::string::npos) << r.error().describe();
}

// The proxy could not reach the endpoint: the endpoint's failure, so the
// S3 client fails over to another endpoint.
TEST(CurlTransportProxy, ConnectAnswered503IsTheEndpointsConnectFailure) {
  auto r = through_proxy(503, "https://127.0.0.1:9/b/k", "proxyuser7:PROXYSECRET");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kConnectFailed);
  EXPECT_NE(r.error().message.find("cannot reach 127.0.0.1:9"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("CONNECT answered 503"), std::string::npos) << r.error().message;
}

TEST(CurlTransportProxy, ConnectAnswered403IsProxyFailed) {
  auto r = through_proxy(403, "https://127.0.0.1:9/b/k", "proxyuser7:PROXYSECRET");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kProxyFailed);
  EXPECT_NE(r.error().message.find("refused the connection to 127.0.0.1:9 (CONNECT answered 403)"),
            std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace s5j::http
