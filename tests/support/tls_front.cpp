#include "support/tls_front.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "support/eventually.h"
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

std::string read_whole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void Pki::make_ca(const std::string& name) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-days", "2", "-subj", "/CN=" + name});
}

void Pki::make_leaf(const std::string& name, const std::string& san, const std::string& ca) {
  const std::string base = dir + "/" + name;
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
           "-out", base + ".csr", "-subj", "/CN=" + name});
  std::ofstream(base + ".ext") << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n";
  openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/" + ca + ".pem", "-CAkey", dir + "/" + ca + ".key",
           "-CAcreateserial", "-out", base + ".pem", "-days", "2", "-extfile", base + ".ext"});
}

bool accepts_connections(uint16_t port, const std::string& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

TlsFront::TlsFront(const Pki& pki, const std::string& cert, const std::string& upstream, bool log_connections)
    : port_(free_loopback_port()) {
  const std::string target = upstream.starts_with("http://") ? upstream.substr(7) : upstream;
  std::vector<std::string> argv{program_path("socat")};
  if (log_connections) {
    // -d -d: socat logs each accepted connection with the peer's address.
    err_path_ = pki.dir + "/socat-" + std::to_string(port_) + ".log";
    argv.insert(argv.end(), {"-d", "-d", "-lf", err_path_});
  }
  argv.push_back("OPENSSL-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,fork,cert=" + pki.pem(cert) +
                 ",key=" + pki.dir + "/" + cert + ".key,verify=0");
  argv.push_back("TCP:" + target);
  process_ = std::make_unique<BackgroundProcess>(argv, std::vector<std::string>{}, pki.dir);
  // socat offers no readiness signal; its listening socket is the one.
  eventually_every(10ms, 10s, [&] { return accepts_connections(port_); });
}

std::string TlsFront::connection_log() const { return err_path_.empty() ? std::string() : read_whole(err_path_); }

}  // namespace s5j::testing
