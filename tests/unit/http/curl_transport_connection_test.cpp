// CurlTransport's connections: reuse, many threads, proxy, interface
// binding, CA bundle, and TLS against an `openssl s_server` child with a
// certificate made at test time.
#include "http/curl_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/local_http_server.h"
#include "support/test_env.h"
#include "unit/http/fake_clock.h"
#include "unit/http/curl_test_support.h"

namespace s5j::http {
namespace {

using namespace std::chrono_literals;
using s5j::testing::HttpAction;
using s5j::testing::HttpRequest;
using s5j::testing::LocalHttpServer;

TEST(CurlTransport, KeepsOneConnectionAliveForSequentialRequests) {
  LocalHttpServer server([](const HttpRequest& r) { return HttpAction::respond(200, r.target); });
  CurlTransport transport(test_options());
  for (int i = 0; i < 20; ++i) {
    Request req = get(server.url() + "/k" + std::to_string(i));
    if (i % 2 == 1) {  // uploads must not spoil reuse either
      req.method = "PUT";
      req.body = "x";
    }
    auto r = transport.perform(req);
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    if (i % 2 == 0) {
      EXPECT_EQ(r->body, "/k" + std::to_string(i));
    }
  }
  EXPECT_EQ(server.request_count(), 20u);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(CurlTransport, ReconnectsWhenTheServerClosesAfterAnswering) {
  LocalHttpServer server([](const HttpRequest&) { return HttpAction::respond(200, "ok").header("Connection", "close"); });
  CurlTransport transport(test_options());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(transport.perform(get(server.url() + "/k")).has_value());
  EXPECT_EQ(server.connection_count(), 3u);
}

TEST(CurlTransport, ServesEightThreadsAtOnce) {
  LocalHttpServer server([](const HttpRequest& r) { return HttpAction::respond(200, r.target + "|" + r.body); });
  CurlTransport transport(test_options());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        Request req;
        req.method = "PUT";
        req.url = server.url() + path;
        req.body = pattern(1000 + static_cast<size_t>(t * 100 + i));
        auto r = transport.perform(req);
        if (!r || r->status != 200 || r->body != path + "|" + req.body) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.request_count(), static_cast<size_t>(kThreads * kPerThread));
  // Handles are pooled: no more connections than concurrent requests.
  EXPECT_LE(server.connection_count(), static_cast<size_t>(kThreads));
}

TEST(CurlTransport, SendsAbsoluteUriThroughProxy) {
  LocalHttpServer proxy;
  NetworkOptions options = test_options();
  options.proxy = proxy.url();
  CurlTransport transport(options);
  const std::string url = "http://s3.example.invalid:9000/b/a//./c/../k%2B?x=1";
  auto r = transport.perform(get(url));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  const auto got = proxy.requests().at(0);
  EXPECT_EQ(got.target, url);
  EXPECT_EQ(got.header("Host"), "s3.example.invalid:9000");
}

TEST(CurlTransport, IgnoresEnvironmentProxyWhenNoneConfigured) {
  LocalHttpServer env_proxy;
  LocalHttpServer server;
  const std::string saved = std::getenv("http_proxy") != nullptr ? std::getenv("http_proxy") : "";
  ::setenv("http_proxy", env_proxy.url().c_str(), 1);
  CurlTransport transport(test_options());
  auto r = transport.perform(get(server.url() + "/k"));
  if (saved.empty())
    ::unsetenv("http_proxy");
  else
    ::setenv("http_proxy", saved.c_str(), 1);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(env_proxy.request_count(), 0u);
}

TEST(CurlTransport, BindsToLoopbackInterface) {
  LocalHttpServer server;
  NetworkOptions options = test_options();
  options.bind_interface = "lo";
  CurlTransport transport(options);
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
}

TEST(CurlTransport, UnknownBindInterfaceNamesTheSetting) {
  LocalHttpServer server;
  NetworkOptions options = test_options();
  options.bind_interface = "s5jnosuchif0";
  CurlTransport transport(options);
  auto r = transport.perform(get(server.url() + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ConnectFailed") << r.error().describe();
  EXPECT_NE(r.error().message.find("bind_interface 's5jnosuchif0'"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(CurlTransport, MissingCaBundleIsATlsCertificateError) {
  LocalHttpServer server;  // plain TCP is enough: the bundle loads before the handshake
  NetworkOptions options = test_options();
  options.ca_bundle = "/nonexistent/s5j/ca.pem";
  CurlTransport transport(options);
  auto r = transport.perform(get("https://127.0.0.1:" + std::to_string(server.port()) + "/k"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "TlsCertificate") << r.error().describe();
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("ca_bundle '/nonexistent/s5j/ca.pem'"), std::string::npos) << r.error().message;
}

// --- TLS against a real OpenSSL server ------------------------------------

// `openssl s_server -www` with a self-signed certificate for 127.0.0.1, made
// at test time. Skips the test when the openssl tool is missing.
class OpensslServer {
 public:
  bool start(std::string* why) {
    dir_ = s5j::testing::make_temp_dir("tls");
    cert_ = dir_ + "/cert.pem";
    const std::string key = dir_ + "/key.pem";
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                            key + " -out " + cert_ + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      *why = "openssl req failed (openssl tool missing?)";
      return false;
    }
    int out[2];
    if (::pipe(out) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      const int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, STDERR_FILENO);  // handshake failures are expected here
      ::close(out[0]);
      ::close(out[1]);
      ::execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert_.c_str(), "-key",
               key.c_str(), "-www", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    out_fd_ = out[0];
    // The server prints "ACCEPT 127.0.0.1:<port>" once it listens. Bounded
    // wait so a broken openssl cannot hang the test run.
    std::string text;
    for (;;) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0) break;
      char buf[512];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find("ACCEPT ");
      const size_t eol = at == std::string::npos ? at : text.find('\n', at);
      if (eol != std::string::npos) {
        const std::string line = text.substr(at, eol - at);
        port_ = std::stoi(line.substr(line.rfind(':') + 1));
        break;
      }
    }
    if (port_ == 0) *why = "openssl s_server did not start";
    return port_ != 0;
  }
  ~OpensslServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  const std::string& cert() const { return cert_; }

 private:
  std::string dir_, cert_;
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
};

TEST(CurlTransport, TlsSelfSignedNeedsCaBundle) {
  OpensslServer tls;
  std::string why;
  if (!tls.start(&why)) GTEST_SKIP() << why;

  CurlTransport untrusted(test_options());
  auto r = untrusted.perform(get(tls.url()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "TlsCertificate") << r.error().describe();
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("ca_bundle"), std::string::npos) << r.error().message;

  NetworkOptions options = test_options();
  options.ca_bundle = tls.cert();
  CurlTransport trusted(options);
  auto ok = trusted.perform(get(tls.url()));
  ASSERT_TRUE(ok.has_value()) << ok.error().describe();
  EXPECT_EQ(ok->status, 200);

  NetworkOptions insecure = test_options();
  insecure.insecure_skip_verify = true;
  CurlTransport skipping(insecure);
  auto ok2 = skipping.perform(get(tls.url()));
  ASSERT_TRUE(ok2.has_value()) << ok2.error().describe();
}

TEST(CurlTransport, PlainHttpToTlsPortIsARetryableProtocolError) {
  OpensslServer tls;
  std::string why;
  if (!tls.start(&why)) GTEST_SKIP() << why;
  NetworkOptions options = test_options();
  options.low_speed_time = 3s;
  CurlTransport transport(options);
  std::string url = tls.url();
  url.replace(0, 5, "http");
  auto r = transport.perform(get(url));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().retryable()) << r.error().describe();
}

}  // namespace
}  // namespace s5j::http
