#include "support/proxy_servers.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/eventually.h"
#include "support/http_get.h"
#include "support/tls_front.h"

namespace s5j::testing {
namespace {

using namespace std::chrono_literals;

std::string read_whole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The crypt(3) hash of `password` in `format` ("-apr1", "-6"), by openssl.
std::string password_hash(const std::string& format, const std::string& password) {
  auto r = run_process({program_path("openssl"), "passwd", format, password});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

// A proxy's listening socket is its readiness signal.
void wait_listening(uint16_t port) { eventually_every(20ms, 20s, [&] { return accepts_connections(port); }); }

void stop_process(std::unique_ptr<BackgroundProcess>& process) {
  if (!process) return;
  process->kill(SIGTERM);
  eventually_every(20ms, 15s, [&] { return !process->running(); });
  process.reset();  // SIGKILL if it still runs
}

std::string user_name(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw != nullptr ? pw->pw_name : "uid" + std::to_string(uid);
}

std::string nss_wrapper_library() {
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
    const std::string path = std::string(dir) + "/libnss_wrapper.so";
    if (std::filesystem::exists(path)) return path;
  }
  ADD_FAILURE() << "libnss_wrapper.so not found: install libnss-wrapper (tools/install-deps.sh)";
  return "libnss_wrapper.so";
}

}  // namespace

// ---------------------------------------------------------------------------
// squid

SquidProxy::SquidProxy(const std::string& dir, ProxyUser user)
    : dir_(dir), user_(std::move(user)), port_(free_loopback_port()) {
  std::filesystem::create_directories(dir_);
  write_file(dir_ + "/passwd", user_.name + ":" + password_hash("-apr1", user_.password) + "\n");
  const bool root = ::geteuid() == 0;
  std::string conf =
      "http_port 127.0.0.1:" + std::to_string(port_) + "\n" +
      // No cache, no pid file, nothing outside `dir`: an instance of the
      // test's own that leaves no trace and meets no other squid.
      "pid_filename none\n"
      "cache deny all\n"
      "cache_mem 0 MB\n"
      "cache_store_log none\n"
      "netdb_filename none\n"
      "pinger_enable off\n"
      "shutdown_lifetime 0 seconds\n"
      "dns_nameservers 127.0.0.1\n"
      "coredump_dir " + dir_ + "\n" +
      "access_log stdio:" + dir_ + "/access.log\n" +
      "cache_log " + dir_ + "/cache.log\n" +
      "auth_param basic program " + "/usr/lib/squid/basic_ncsa_auth " + dir_ + "/passwd\n" +
      "auth_param basic children 2\n"
      "auth_param basic realm s5j-test\n"
      "acl authenticated proxy_auth REQUIRED\n"
      // CONNECT to any port: the gateway's TLS front is not on 443.
      "http_access allow authenticated\n"
      "http_access deny all\n";
  if (root) {
    // squid refuses to serve as root; it drops to this user, which must
    // write the logs and read the password file.
    conf += "cache_effective_user proxy\n";
    if (const passwd* pw = ::getpwnam("proxy"); pw != nullptr) {
      for (const auto& path : {dir_, dir_ + "/passwd"}) (void)::chown(path.c_str(), pw->pw_uid, pw->pw_gid);
    } else {
      ADD_FAILURE() << "no user 'proxy' (Debian's squid package creates it)";
    }
  }
  write_file(dir_ + "/squid.conf", conf);
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{program_path("squid"), "-N", "-d", "1", "-f", dir_ + "/squid.conf"},
      std::vector<std::string>{}, dir_);
  wait_listening(port_);
}

SquidProxy::~SquidProxy() { stop(); }

void SquidProxy::stop() { stop_process(process_); }

bool SquidProxy::up() const { return accepts_connections(port_); }

std::string SquidProxy::url(const std::string& password) const {
  const std::string credentials = password.empty() ? "" : user_.name + ":" + password + "@";
  return "http://" + credentials + "127.0.0.1:" + std::to_string(port_);
}

std::string SquidProxy::access_log() const { return read_whole(dir_ + "/access.log"); }

std::string SquidProxy::diagnostics() const { return read_whole(dir_ + "/cache.log"); }

// ---------------------------------------------------------------------------
// dante

DanteProxy::DanteProxy(const std::string& dir, ProxyUser user)
    : dir_(dir), user_(std::move(user)), port_(free_loopback_port()) {
  std::filesystem::create_directories(dir_);
  const bool root = ::geteuid() == 0;
  const std::string self = user_name(::geteuid());
  // The user danted runs as and the SOCKS user, in files of the test's own
  // (nss_wrapper answers getpwnam/getspnam from them, for danted only).
  std::string passwd = self + ":x:" + std::to_string(::geteuid()) + ":" + std::to_string(::getegid()) +
                       ":s5j test:/nonexistent:/bin/false\n";
  std::string group = self + ":x:" + std::to_string(::getegid()) + ":\n";
  if (root) {
    passwd += "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    group += "nogroup:x:65534:\n";
  }
  passwd += user_.name + ":x:61000:61000:s5j socks test:/nonexistent:/bin/false\n";
  group += user_.name + ":x:61000:\n";
  write_file(dir_ + "/nss.passwd", passwd);
  write_file(dir_ + "/nss.group", group);
  write_file(dir_ + "/nss.shadow", user_.name + ":" + password_hash("-6", user_.password) + ":19000:0:99999:7:::\n");
  ::chmod((dir_ + "/nss.shadow").c_str(), 0600);

  const std::string conf =
      "logoutput: " + dir_ + "/danted.log\n" +
      "internal: 127.0.0.1 port = " + std::to_string(port_) + "\n" +
      "external: 127.0.0.1\n"
      "clientmethod: none\n"
      "socksmethod: username\n" +
      // As root danted checks passwords as `privileged` and serves as
      // `unprivileged`; as a normal user it is both.
      "user.privileged: " + self + "\n" +
      "user.unprivileged: " + (root ? "nobody" : self) + "\n" +
      "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error connect disconnect }\n"
      "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error connect disconnect }\n";
  write_file(dir_ + "/danted.conf", conf);
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{program_path("danted"), "-f", dir_ + "/danted.conf", "-p", dir_ + "/danted.pid"},
      std::vector<std::string>{"LD_PRELOAD=" + nss_wrapper_library(), "NSS_WRAPPER_PASSWD=" + dir_ + "/nss.passwd",
                               "NSS_WRAPPER_GROUP=" + dir_ + "/nss.group",
                               "NSS_WRAPPER_SHADOW=" + dir_ + "/nss.shadow"},
      dir_);
  wait_listening(port_);
}

DanteProxy::~DanteProxy() { stop(); }

void DanteProxy::stop() { stop_process(process_); }

bool DanteProxy::up() const { return accepts_connections(port_); }

std::string DanteProxy::url(const std::string& scheme, const std::string& password) const {
  return scheme + "://" + user_.name + ":" + password + "@127.0.0.1:" + std::to_string(port_);
}

std::string DanteProxy::access_log() const { return read_whole(dir_ + "/danted.log"); }

}  // namespace s5j::testing
