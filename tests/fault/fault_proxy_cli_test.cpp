// The s5j-fault-proxy executable: prints its port, serves faults, writes the
// stats file on SIGTERM, and refuses bad command lines.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "fault/proxy_test_util.h"
#include "support/process.h"
#include "support/test_env.h"

extern char** environ;

namespace s5j::testing {
namespace {

// A running s5j-fault-proxy; killed (SIGKILL) if a test leaves it running.
class ProxyProcess {
 public:
  explicit ProxyProcess(std::vector<std::string> args) {
    args.insert(args.begin(), S5J_FAULT_PROXY_BINARY);
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    stdout_fd_ = out[0];
  }
  ~ProxyProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }

  // The first stdout line, as a port; 0 when none came within 20 s.
  uint16_t read_port() {
    std::string line;
    for (int i = 0; i < 200 && line.find('\n') == std::string::npos; ++i) {
      pollfd p{stdout_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[64];
      const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    try {
      return static_cast<uint16_t>(std::stoul(line));
    } catch (const std::exception&) {
      return 0;
    }
  }

  // Sends `sig` and returns the exit code; -1 if it did not exit within 20 s.
  int terminate(int sig) {
    ::kill(pid_, sig);
    auto exited = std::async(std::launch::async, [pid = pid_] {
      int status = 0;
      ::waitpid(pid, &status, 0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    });
    if (exited.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ::kill(pid_, SIGKILL);  // unblocks the waitpid above
      exited.wait();
      pid_ = -1;
      return -1;
    }
    pid_ = -1;
    return exited.get();
  }

  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

TEST(FaultProxyCli, ServesFaultsAndWritesStatsOnSigterm) {
  LocalHttpServer upstream(upstream_routes());
  const std::string stats = make_temp_dir("fault-cli") + "/stats.json";
  ProxyProcess proc({"--listen", "127.0.0.1:0", "--upstream", upstream.url(), "--seed", "3", "--rate", "1",
                     "--kinds", "status_503", "--only-method", "GET", "--max-faults", "1", "--stats", stats});
  ASSERT_TRUE(proc.started());
  const uint16_t port = proc.read_port();
  ASSERT_GT(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  auto client = make_transport();

  auto throttled = send_request(*client, "GET", url + "/data/10");
  ASSERT_TRUE(throttled.has_value()) << throttled.error().describe();
  EXPECT_EQ(throttled->status, 503);
  auto put = send_request(*client, "PUT", url + "/b/k", "abc");  // not eligible
  ASSERT_TRUE(put.has_value()) << put.error().describe();
  EXPECT_EQ(put->status, 200);
  auto get = send_request(*client, "GET", url + "/data/10");  // budget used up
  ASSERT_TRUE(get.has_value()) << get.error().describe();
  EXPECT_EQ(get->status, 200);

  EXPECT_EQ(proc.terminate(SIGTERM), 0);
  std::ifstream in(stats);
  ASSERT_TRUE(in.good()) << stats;
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("requests_seen"), 3);
  EXPECT_EQ(j.at("requests_forwarded"), 2);
  EXPECT_EQ(j.at("requests_faulted"), 1);
  EXPECT_EQ(j.at("faults").at("status_503"), 1);
  EXPECT_GT(j.at("bytes_to_client").get<uint64_t>(), 10u);
  std::filesystem::remove_all(std::filesystem::path(stats).parent_path());
}

TEST(FaultProxyCli, RefusesBadCommandLines) {
  const std::string bin = S5J_FAULT_PROXY_BINARY;
  auto non_loopback = run_process({bin, "--upstream", "http://10.1.2.3:80"});
  EXPECT_EQ(non_loopback.exit_code, 2);
  EXPECT_NE(non_loopback.err.find("127.0.0.0/8"), std::string::npos) << non_loopback.err;
  auto public_listen = run_process({bin, "--listen", "0.0.0.0:0", "--upstream", "http://127.0.0.1:17480"});
  EXPECT_EQ(public_listen.exit_code, 2);
  auto bad_kind = run_process({bin, "--upstream", "http://127.0.0.1:17480", "--kinds", "truncate,explode"});
  EXPECT_EQ(bad_kind.exit_code, 2);
  EXPECT_NE(bad_kind.err.find("explode"), std::string::npos) << bad_kind.err;
  auto bad_rate = run_process({bin, "--upstream", "http://127.0.0.1:17480", "--rate", "1.5"});
  EXPECT_EQ(bad_rate.exit_code, 2);
  auto no_upstream = run_process({bin});
  EXPECT_EQ(no_upstream.exit_code, 2);
}

}  // namespace
}  // namespace s5j::testing
