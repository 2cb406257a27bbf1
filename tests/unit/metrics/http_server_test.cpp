// The metrics layer's HTTP server on a real loopback socket: routes, 404,
// read-only, the token (header or query), port 0, a port in use.
#include "metrics/http_server.h"

#include <gtest/gtest.h>

#include "support/http_get.h"

namespace s5j::metrics {
namespace {

using testing::http_get;

HttpServerOptions options_with(std::string token = {}) {
  HttpServerOptions options{.address = *http::parse_listen_address("127.0.0.1:0"), .routes = {}, .token = token};
  options.routes["/hello"] = [](const HttpRequest& request) {
    return HttpResponse{.status = 200, .content_type = "text/plain", .body = "hello " + request.query};
  };
  options.routes["/boom"] = [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("broken"); };
  return options;
}

TEST(HttpServer, AnswersItsRoutesOnTheChosenPortAndNothingElse) {
  auto server = HttpServer::start(options_with());
  ASSERT_TRUE(server) << server.error().describe();
  const uint16_t port = (*server)->port();
  ASSERT_NE(port, 0);
  EXPECT_EQ((*server)->url(), "http://127.0.0.1:" + std::to_string(port));

  auto hello = http_get("127.0.0.1", port, "/hello?x=1");
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(hello.body, "hello x=1");
  EXPECT_EQ(hello.headers["content-type"], "text/plain");
  EXPECT_EQ(hello.headers["cache-control"], "no-store");

  EXPECT_EQ(http_get("127.0.0.1", port, "/other").status, 404);
  EXPECT_EQ(http_get("127.0.0.1", port, "/hello", {}, "POST").status, 405);
  EXPECT_EQ(http_get("127.0.0.1", port, "/hello", {}, "DELETE").status, 405);
  auto boom = http_get("127.0.0.1", port, "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_NE(boom.body.find("broken"), std::string::npos);
}

TEST(HttpServer, WithATokenRefusesRequestsWithoutIt) {
  const std::string token = "0123456789abcdef0123";
  auto server = HttpServer::start(options_with(token));
  ASSERT_TRUE(server) << server.error().describe();
  const uint16_t port = (*server)->port();

  auto refused = http_get("127.0.0.1", port, "/hello");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("token required"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find(token), std::string::npos) << "the token must not be repeated";
  EXPECT_EQ(http_get("127.0.0.1", port, "/hello", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(http_get("127.0.0.1", port, "/hello?token=wrong").status, 401);
  EXPECT_EQ(http_get("127.0.0.1", port, "/nothing-here").status, 401) << "no route is revealed without the token";

  EXPECT_EQ(http_get("127.0.0.1", port, "/hello", {{"Authorization", "Bearer " + token}}).status, 200);
  EXPECT_EQ(http_get("127.0.0.1", port, "/hello?a=b&token=" + token).status, 200);
}

TEST(HttpServer, APortInUseIsAnErrorNamingTheAddress) {
  auto first = HttpServer::start(options_with());
  ASSERT_TRUE(first);
  auto options = options_with();
  options.address.port = (*first)->port();
  auto second = HttpServer::start(std::move(options));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, kListenFailed);
  EXPECT_NE(second.error().message.find("127.0.0.1:" + std::to_string((*first)->port())), std::string::npos)
      << second.error().message;
}

TEST(HttpServer, TokenMatchesOnlyTheWholeToken) {
  EXPECT_TRUE(request_has_token("token=abc", "", "abc"));
  EXPECT_TRUE(request_has_token("x=1&token=abc&y=2", "", "abc"));
  EXPECT_TRUE(request_has_token("", "Bearer abc", "abc"));
  EXPECT_FALSE(request_has_token("token=abcd", "", "abc"));
  EXPECT_FALSE(request_has_token("token=ab", "", "abc"));
  EXPECT_FALSE(request_has_token("xtoken=abc", "", "abc"));
  EXPECT_FALSE(request_has_token("", "Bearer abcd", "abc"));
  EXPECT_FALSE(request_has_token("", "Basic abc", "abc"));
}

}  // namespace
}  // namespace s5j::metrics
