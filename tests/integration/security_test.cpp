// Secrets and file modes, end to end: the secret never appears in what any
// command prints, in the event logs, in the ledger's bytes or in a running
// sync's process title; the ledger and the event logs are created readable
// by their owner only (whatever the umask allows more); a config file that
// others may read is warned about.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/reliability_support.h"

namespace s5j::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Security : public TwoBuckets {
 protected:
  void SetUp() override {
    TwoBuckets::SetUp();
    ASSERT_TRUE(seed_objects(*src_, src_bucket_,
                             {{"in/a", "alpha"}, {"in/b", random_bytes(40'000, 4)}, {"in/big", random_bytes(7 * kMiB, 5)}}));
  }
  // Fails the test wherever a secret (the configured ones, and the wrong
  // one a test puts in a config) is found.
  void expect_no_secret(const std::string& where, const std::string& text) {
    for (const auto& secret : {secret_key(), limited_secret_key(), std::string(kWrongSecret)})
      EXPECT_EQ(text.find(secret), std::string::npos) << "secret found in " << where;
  }
  void run_and_check(const std::vector<std::string>& args, int want_exit) {
    auto r = run_s5j(args);
    EXPECT_EQ(r.exit_code, want_exit) << args[0] << ": " << r.out << r.err;
    expect_no_secret(args[0] + " stdout", r.out);
    expect_no_secret(args[0] + " stderr", r.err);
  }
  static constexpr const char* kWrongSecret = "wrongsecretwrongsecret0000000000000000009";
};

TEST_F(Security, TheSecretAppearsNowhere) {
  ::umask(022);  // what a default shell gives: SQLite and logs must not rely on it
  const std::string transfer = "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n";
  const auto cfg = config(endpoint_a(), endpoint_b(), transfer, {}, "  max_bandwidth: 4MiB\n");

  // A running sync's process title (its environment is not the title).
  BackgroundProcess run({s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
  std::string cmdline, comm;
  for (int i = 0; i < 500 && run.running() && cmdline.empty(); ++i) {
    cmdline = file_bytes("/proc/" + std::to_string(run.pid()) + "/cmdline");
    comm = file_bytes("/proc/" + std::to_string(run.pid()) + "/comm");
    if (cmdline.empty()) std::this_thread::sleep_for(10ms);
  }
  EXPECT_FALSE(cmdline.empty());
  expect_no_secret("/proc/PID/cmdline", cmdline);
  expect_no_secret("/proc/PID/comm", comm);
  auto done = run.wait();
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  expect_no_secret("sync stdout", done.out);
  expect_no_secret("sync stderr", done.err);

  // Every other command, succeeding and failing.
  run_and_check({"sync", "-c", cfg, "--no-progress"}, 0);
  run_and_check({"sync", "-c", cfg, "--dry-run"}, 0);
  run_and_check({"check", "-c", cfg}, 0);
  run_and_check({"check", "src", "-c", cfg, "--json"}, 0);
  run_and_check({"status", "-c", cfg}, 0);
  run_and_check({"status", "-c", cfg, "--json"}, 0);
  run_and_check({"ledger", "export", "-c", cfg, "--format", "csv"}, 0);
  run_and_check({"ledger", "export", "-c", cfg, "--format", "jsonl"}, 0);
  run_and_check({"sync", "-c", cfg, "--workers", "0"}, 2);
  {
    auto missing = fs::path(dir_) / "missing";
    fs::create_directories(missing);
    auto bad = write_job_config({{endpoint_a(), src_bucket_ + "-none", "in/"}, {endpoint_b(), dst_bucket_, "out/"},
                                 missing.string(), ""});
    run_and_check({"sync", "-c", bad}, 6);
    run_and_check({"check", "-c", bad}, 6);
  }
  {
    // A wrong secret in the config: refused, and not repeated either.
    auto wrong_dir = fs::path(dir_) / "wrong";
    fs::create_directories(wrong_dir);
    auto text = file_bytes(cfg);
    for (size_t at; (at = text.find(secret_key())) != std::string::npos;) text.replace(at, secret_key().size(), kWrongSecret);
    const auto wrong = (wrong_dir / "config.yaml").string();
    std::ofstream(wrong) << text;
    ::chmod(wrong.c_str(), 0600);
    run_and_check({"check", "src", "-c", wrong}, 4);
    run_and_check({"sync", "-c", wrong}, 4);
  }

  // The event logs and the ledger's raw bytes.
  for (const auto& file : log_files(log_dir())) expect_no_secret(file, file_bytes(file));
  for (const auto& suffix : {"", "-wal", "-shm"})
    if (fs::exists(ledger_path() + suffix)) expect_no_secret(ledger_path() + suffix, file_bytes(ledger_path() + suffix));
  for (const auto& entry : fs::recursive_directory_iterator(dir_))
    if (entry.is_regular_file() && entry.path().filename() != "config.yaml")
      expect_no_secret(entry.path().string(), file_bytes(entry.path().string()));
}

TEST_F(Security, LedgerAndEventLogsAreOwnerOnly) {
  ::umask(022);
  auto r = run_s5j({"sync", "-c", config("transfer:\n  workers: 2\n"), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto mode = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode(ledger_path()), 0600u);
  for (const auto& suffix : {"-wal", "-shm"})
    if (fs::exists(ledger_path() + suffix)) EXPECT_EQ(mode(ledger_path() + suffix), 0600u) << suffix;
  const auto logs = log_files(log_dir());
  ASSERT_FALSE(logs.empty());
  for (const auto& file : logs) EXPECT_EQ(mode(file), 0600u) << file;
}

TEST_F(Security, ConfigReadableByOthersIsWarnedAbout) {
  const auto cfg = config("transfer:\n  workers: 2\n");
  ASSERT_EQ(::chmod(cfg.c_str(), 0644), 0);
  for (const char* command : {"sync", "check"}) {
    auto r = run_s5j({command, "-c", cfg});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("readable by group/others"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find(cfg), std::string::npos) << r.err;
    expect_no_secret(std::string(command) + " stderr", r.err);
  }
  expect_identical();
}

}  // namespace
}  // namespace s5j::testing
