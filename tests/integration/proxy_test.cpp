// s5j through real proxies, over HTTPS to the gateway: the destination is
// RGW B behind a TLS front (socat, a CA made at test time), reached through
//   squid   HTTP CONNECT with basic auth (proxy: http://USER:PASSWORD@...),
//   dante   SOCKS5 with username auth (proxy: socks5:// and socks5h://).
// Each sync must arrive byte-identical, and the proxy's own access log must
// show the tunnel to the front: the bytes went through the proxy, not
// around it. The proxy password never shows in s5j's output, event log,
// `check` or `status --json`; a proxy that is down or refuses the password
// ends the run with one line naming the proxy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "integration/reliability_support.h"
#include "support/http_get.h"
#include "support/proxy_servers.h"
#include "support/tls_front.h"

namespace s5j::testing {
namespace {

const ProxyUser kSquidUser{"s5jproxy", "Sq1d-pass-7f3a9c"};
const ProxyUser kSocksUser{"s5jsocks", "D4nte-pass-41be07"};

// Every file under `dir` (logs, ledger exports) as one string.
std::string all_files_under(const std::string& dir) {
  std::string out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out += text.str();
  }
  return out;
}

class Proxies : public TwoBuckets {
 protected:
  void SetUp() override {
    TwoBuckets::SetUp();
    ASSERT_TRUE(seed_objects(*src_, src_bucket_,
                             {{"in/a", "alpha"},
                              {"in/b", random_bytes(50'000, 9)},
                              {"in/c/big", random_bytes(11 * kMiB + 17, 10)}}));
    pki_.dir = dir_ + "/pki";
    std::filesystem::create_directories(pki_.dir);
    pki_.make_ca("ca");
    pki_.make_leaf("gateway", "IP:127.0.0.1", "ca");
    front_ = std::make_unique<TlsFront>(pki_, "gateway", endpoint_b(), /*log_connections=*/true);
    ASSERT_TRUE(front_->up());
  }

  // Source plain on RGW A; destination over https to the front, through
  // `proxy`, with `dst_extra` more keys. The big object goes multipart.
  std::string proxied_config(const std::string& proxy, const std::string& dst_extra = {}) {
    return config(endpoint_a(), front_->url(),
                  "transfer:\n  multipart_threshold: 5MiB\n  part_size: 5MiB\n  workers: 4\n", {},
                  "  ca_bundle: " + pki_.pem("ca") + "\n  proxy: " + proxy + "\n" + dst_extra);
  }

  // `secret` shows nowhere s5j writes: its output of `result`, its event
  // logs, the ledger's files.
  void expect_secret_kept(const std::string& secret, const ProcessResult& result, const std::string& what) {
    EXPECT_EQ(result.out.find(secret), std::string::npos) << what << " stdout shows the proxy password";
    EXPECT_EQ(result.err.find(secret), std::string::npos) << what << " stderr shows the proxy password";
    EXPECT_EQ(all_files_under(log_dir()).find(secret), std::string::npos) << "the event log shows the proxy password";
  }
  // The event log the secret was looked for in is really there.
  void expect_event_log_written() { EXPECT_FALSE(read_events(log_dir()).empty()) << "no event log in " << log_dir(); }

  std::string front_target() const { return "127.0.0.1:" + std::to_string(front_->port()); }

  Pki pki_;
  std::unique_ptr<TlsFront> front_;
};

TEST_F(Proxies, SyncThroughSquidConnectOverHttps) {
  SquidProxy squid(dir_ + "/squid", kSquidUser);
  ASSERT_TRUE(squid.up()) << squid.diagnostics();
  const auto cfg = proxied_config(squid.url(kSquidUser.password));

  auto sync = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  expect_identical();
  // The tunnels squid made, each to the front, for the authenticated user.
  const std::string log = squid.access_log();
  EXPECT_NE(log.find("TCP_TUNNEL/200"), std::string::npos) << log;
  EXPECT_NE(log.find("CONNECT " + front_target() + " " + kSquidUser.name), std::string::npos) << log;
  expect_event_log_written();
  expect_secret_kept(kSquidUser.password, sync, "sync");

  auto check = run_s5j({"check", "dst", "-c", cfg});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  expect_secret_kept(kSquidUser.password, check, "check");
  auto check_json = run_s5j({"check", "-c", cfg, "--json"});
  EXPECT_EQ(check_json.exit_code, 0) << check_json.out << check_json.err;
  expect_secret_kept(kSquidUser.password, check_json, "check --json");
  auto status = run_s5j({"status", "-c", cfg, "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  expect_secret_kept(kSquidUser.password, status, "status --json");
}

// socks5h: the proxy resolves the gateway's name; socks5: s5j does.
class ProxiesThroughDante : public Proxies, public ::testing::WithParamInterface<const char*> {};

TEST_P(ProxiesThroughDante, SyncThroughDante) {
  DanteProxy dante(dir_ + "/dante", kSocksUser);
  ASSERT_TRUE(dante.up()) << dante.access_log();
  const auto cfg = proxied_config(dante.url(GetParam(), kSocksUser.password));

  auto sync = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err << dante.access_log();
  expect_identical();
  const std::string log = dante.access_log();
  EXPECT_NE(log.find("tcp/connect [: username%" + kSocksUser.name + "@"), std::string::npos) << log;
  EXPECT_NE(log.find("127.0.0.1." + std::to_string(front_->port())), std::string::npos) << log;
  expect_secret_kept(kSocksUser.password, sync, "sync");
}

INSTANTIATE_TEST_SUITE_P(Schemes, ProxiesThroughDante, ::testing::Values("socks5h", "socks5"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

TEST_F(Proxies, ProxyDownExits7WithOneLine) {
  SquidProxy squid(dir_ + "/squid", kSquidUser);
  DanteProxy dante(dir_ + "/dante", kSocksUser);
  ASSERT_TRUE(squid.up()) << squid.diagnostics();
  ASSERT_TRUE(dante.up()) << dante.access_log();
  const std::pair<std::string, uint16_t> down[] = {{squid.url(kSquidUser.password), squid.port()},
                                                   {dante.url("socks5h", kSocksUser.password), dante.port()}};
  squid.stop();
  dante.stop();
  ASSERT_FALSE(squid.up());
  ASSERT_FALSE(dante.up());
  for (const auto& [url, port] : down) {
    const auto cfg = proxied_config(url);
    for (const char* command : {"sync", "check"}) {
      auto r = run_s5j({command, "-c", cfg});
      EXPECT_EQ(r.exit_code, 7) << command << ": " << r.out << r.err;
      EXPECT_EQ(line_count(r.err), 1) << r.err;
      EXPECT_NE(r.err.find("cannot connect to proxy 127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
      expect_secret_kept(kSquidUser.password, r, command);
      expect_secret_kept(kSocksUser.password, r, command);
    }
  }
  EXPECT_TRUE(destination_digests().empty());
}

// The proxy is up but the gateway behind it is not: the endpoint's failure
// (exit 7), named as the proxy reported it, not a broken connection.
TEST_F(Proxies, GatewayDownBehindTheProxyExits7NamingTheGateway) {
  SquidProxy squid(dir_ + "/squid", kSquidUser);
  DanteProxy dante(dir_ + "/dante", kSocksUser);
  ASSERT_TRUE(squid.up()) << squid.diagnostics();
  ASSERT_TRUE(dante.up()) << dante.access_log();
  const uint16_t closed = free_loopback_port();
  const std::string gateway = "127.0.0.1:" + std::to_string(closed);
  const std::pair<std::string, std::string> proxies[] = {
      {squid.url(kSquidUser.password), "CONNECT answered 503"},
      {dante.url("socks5", kSocksUser.password), "SOCKS"}};
  for (const auto& [proxy, reason] : proxies) {
    const auto cfg = config(endpoint_a(), "https://" + gateway, {}, {},
                            "  ca_bundle: " + pki_.pem("ca") + "\n  proxy: " + proxy + "\n");
    auto r = run_s5j({"sync", "-c", cfg});
    EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("cannot reach " + gateway + " (" + reason), std::string::npos) << r.err;
  }
}

// A wrong password is the proxy's refusal, said in one line naming the
// proxy: exit 4 (credentials rejected), and the password shows nowhere.
TEST_F(Proxies, WrongSquidPasswordExits4WithOneLine) {
  SquidProxy squid(dir_ + "/squid", kSquidUser);
  ASSERT_TRUE(squid.up()) << squid.diagnostics();
  const std::string wrong = "Wr0ng-squid-pass-93e1";
  const auto cfg = proxied_config(squid.url(wrong));
  for (const char* command : {"sync", "check"}) {
    auto r = run_s5j({command, "-c", cfg});
    EXPECT_EQ(r.exit_code, 4) << command << ": " << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("proxy 127.0.0.1:" + std::to_string(squid.port()) + " refused the credentials in `proxy`"),
              std::string::npos)
        << r.err;
    expect_secret_kept(wrong, r, command);
  }
  EXPECT_NE(squid.access_log().find("TCP_DENIED/407"), std::string::npos) << squid.access_log();
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(Proxies, WrongSocksPasswordExits4WithOneLine) {
  DanteProxy dante(dir_ + "/dante", kSocksUser);
  ASSERT_TRUE(dante.up()) << dante.access_log();
  const std::string wrong = "Wr0ng-socks-pass-5d20";
  const auto cfg = proxied_config(dante.url("socks5h", wrong));
  for (const char* command : {"sync", "check"}) {
    auto r = run_s5j({command, "-c", cfg});
    EXPECT_EQ(r.exit_code, 4) << command << ": " << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("proxy 127.0.0.1:" + std::to_string(dante.port()) + " refused the credentials in `proxy`"),
              std::string::npos)
        << r.err;
    expect_secret_kept(wrong, r, command);
  }
  EXPECT_NE(dante.access_log().find("authentication failed"), std::string::npos) << dante.access_log();
  EXPECT_TRUE(destination_digests().empty());
}

// `interface: 127.0.0.2`: every connection to the gateway leaves from that
// address (all of 127/8 is local, so no second interface is needed), as
// the front's log of accepted connections shows.
TEST_F(Proxies, InterfaceSendsFromTheGivenAddress) {
  const auto cfg = config(endpoint_a(), front_->url(), {}, {},
                          "  ca_bundle: " + pki_.pem("ca") + "\n  interface: 127.0.0.2\n");
  auto sync = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  expect_identical();
  const std::string log = front_->connection_log();
  EXPECT_NE(log.find("accepting connection from AF=2 127.0.0.2:"), std::string::npos) << log;
}

// Through a proxy, `interface` binds the connection to the proxy: an
// SD-WAN path to the proxy.
TEST_F(Proxies, InterfaceAppliesToTheConnectionToTheProxy) {
  SquidProxy squid(dir_ + "/squid", kSquidUser);
  ASSERT_TRUE(squid.up()) << squid.diagnostics();
  const auto cfg = proxied_config(squid.url(kSquidUser.password), "  interface: 127.0.0.2\n");
  auto sync = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  expect_identical();
  const std::string log = squid.access_log();
  EXPECT_NE(log.find(" 127.0.0.2 TCP_TUNNEL/200"), std::string::npos) << log;
  EXPECT_EQ(log.find(" 127.0.0.1 TCP_TUNNEL/200"), std::string::npos) << log;
}

}  // namespace
}  // namespace s5j::testing
