// TLS failures end to end: RGW behind a real TLS front (socat, certificates
// made with openssl at test time). A certificate for another host and one
// signed by an unknown CA end `sync` and `check` with exit code 8 and one
// line; the same front with a trusted certificate for 127.0.0.1 works, so
// the failures are the certificates' and nothing else's.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/reliability_support.h"
#include "support/tls_front.h"

namespace s5j::testing {
namespace {

class Tls : public TwoBuckets {
 protected:
  void SetUp() override {
    TwoBuckets::SetUp();
    ASSERT_TRUE(seed_objects(*src_, src_bucket_, {{"in/a", "alpha"}, {"in/b", random_bytes(50'000, 9)}}));
    pki_.dir = dir_ + "/pki";
    std::filesystem::create_directories(pki_.dir);
    pki_.make_ca("trusted-ca");
    pki_.make_ca("unknown-ca");
    pki_.make_leaf("good", "IP:127.0.0.1", "trusted-ca");
    pki_.make_leaf("wrong-host", "DNS:wrong.example", "trusted-ca");
    pki_.make_leaf("unknown-issuer", "IP:127.0.0.1", "unknown-ca");
  }
  std::string tls_config(const TlsFront& front) {
    return config(front.url(), endpoint_b(), {}, "  ca_bundle: " + pki_.dir + "/trusted-ca.pem\n");
  }
  Pki pki_;
};

TEST_F(Tls, TrustedCertificateWorks) {
  TlsFront front(pki_, "good", endpoint_a());
  ASSERT_TRUE(front.up());
  const auto cfg = tls_config(front);
  auto check = run_s5j({"check", "src", "-c", cfg});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  auto sync = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  expect_identical();
}

TEST_F(Tls, CertificateForAnotherHostExits8) {
  TlsFront front(pki_, "wrong-host", endpoint_a());
  ASSERT_TRUE(front.up());
  const auto cfg = tls_config(front);
  for (const char* command : {"sync", "check"}) {
    auto r = run_s5j({command, "-c", cfg});
    EXPECT_EQ(r.exit_code, 8) << command << ": " << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(Tls, CertificateOfAnUnknownCaExits8) {
  TlsFront front(pki_, "unknown-issuer", endpoint_a());
  ASSERT_TRUE(front.up());
  const auto cfg = tls_config(front);
  for (const char* command : {"sync", "check"}) {
    auto r = run_s5j({command, "-c", cfg});
    EXPECT_EQ(r.exit_code, 8) << command << ": " << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("ca_bundle"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(destination_digests().empty());
}

}  // namespace
}  // namespace s5j::testing
