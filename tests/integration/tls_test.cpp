// TLS failures end to end: RGW behind a real TLS front (socat, certificates
// made with openssl at test time). A certificate for another host and one
// signed by an unknown CA end `sync` and `check` with exit code 8 and one
// line; the same front with a trusted certificate for 127.0.0.1 works, so
// the failures are the certificates' and nothing else's.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/reliability_support.h"
#include "support/http_get.h"

namespace s5j::testing {
namespace {

using namespace std::chrono_literals;

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{program_path("openssl")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// A CA, and leaf certificates signed by it.
struct Pki {
  std::string dir;
  void make_ca(const std::string& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-days", "2", "-subj", "/CN=" + name});
  }
  // Leaf `name` for `san` ("IP:127.0.0.1", "DNS:wrong.example") signed by `ca`.
  void make_leaf(const std::string& name, const std::string& san, const std::string& ca) {
    const std::string base = dir + "/" + name;
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
             "-out", base + ".csr", "-subj", "/CN=" + name});
    std::ofstream(base + ".ext") << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n";
    openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/" + ca + ".pem", "-CAkey", dir + "/" + ca + ".key",
             "-CAcreateserial", "-out", base + ".pem", "-days", "2", "-extfile", base + ".ext"});
  }
};

bool accepts_connections(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// socat terminating TLS with `cert` in front of RGW A.
class TlsFront {
 public:
  TlsFront(const std::string& dir, const std::string& cert) : port_(testing::free_loopback_port()) {
    const std::string upstream = endpoint_a().substr(std::string("http://").size());
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{program_path("socat"),
                                 "OPENSSL-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,fork,cert=" +
                                     dir + "/" + cert + ".pem,key=" + dir + "/" + cert + ".key,verify=0",
                                 "TCP:" + upstream},
        std::vector<std::string>{}, dir);
    for (int i = 0; i < 500 && !accepts_connections(port_); ++i) std::this_thread::sleep_for(10ms);  // polling
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  bool up() const { return accepts_connections(port_); }

 private:
  uint16_t port_;
  std::unique_ptr<BackgroundProcess> process_;  // killed with the front
};

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
  TlsFront front(pki_.dir, "good");
  ASSERT_TRUE(front.up());
  const auto cfg = tls_config(front);
  auto check = run_s5j({"check", "src", "-c", cfg});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  auto sync = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  expect_identical();
}

TEST_F(Tls, CertificateForAnotherHostExits8) {
  TlsFront front(pki_.dir, "wrong-host");
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
  TlsFront front(pki_.dir, "unknown-issuer");
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
