// What a new operator met (issue: a relay that stalls on refused
// credentials, a ledger that follows the working directory): a relay checks
// both sides before the first byte moves; a job's ledger and logs live with
// its config whatever directory s5j runs in; two ledgers never stage into
// one job's volume directories at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/relay_test_support.h"

namespace s5j::relay_test {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Config files hold secrets: mode 0600, or s5j warns on stderr.
void write_config_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// `config` with the destination's secret replaced: credentials the
// destination refuses.
std::string with_wrong_destination_secret(const std::string& config) {
  std::string text = read_file(config);
  const size_t destination = text.find("destination:");
  const std::string secret = "secret_access_key: " + testing::secret_key();
  const size_t at = text.find(secret, destination);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, secret.size(), "secret_access_key: wrongsecret000000000000000000000000000000");
  const std::string path = config.substr(0, config.rfind('/')) + "/wrong-destination.yaml";
  write_config_file(path, text);
  return path;
}

// Runs s5j in `cwd` (run_process keeps the test's working directory).
testing::ProcessResult s5j_in(const std::string& cwd, const std::vector<std::string>& args) {
  std::string command = "cd '" + cwd + "' && exec '" + testing::s5j_binary() + "'";
  for (const auto& a : args) command += " '" + a + "'";
  return testing::run_process({"/bin/sh", "-c", command});
}

class JobHome : public RelayTest {
 protected:
  void SetUp() override {
    RelayTest::SetUp();
    ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_,
                                      {{"in/a", "alpha"}, {"in/b", testing::random_bytes(70'000, 1)},
                                       {"in/big", testing::random_bytes(7 * kMiB, 2)}}));
  }
};

TEST_F(JobHome, RelayWithRefusedDestinationCredentialsExits4BeforeStagingAnything) {
  const std::string config = with_wrong_destination_secret(this->config());
  for (const char* command : {"relay", "drain"}) {
    auto r = s5j({command, "-c", config, "--once", "--no-progress"});
    EXPECT_EQ(r.exit_code, 4) << command << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("destination"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(staged_file_count(), 0u) << command << " staged for a destination that refuses it";
  }
  EXPECT_TRUE(testing::bucket_digests(*dst_client_, dst_bucket_, "out/").empty());
  // The same job with the right credentials then moves everything.
  auto ok = s5j({"relay", "-c", this->config(), "--once", "--no-progress"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  expect_identical();
  expect_no_open_uploads();  // the write probe leaves no upload behind
  // One pass each: the upload of a staged copy is the staging's attempt,
  // as the ledger counts it.
  const auto uploads = testing::events_named(testing::read_events(dir_ + "/logs"), "upload_started");
  ASSERT_EQ(uploads.size(), 3u);
  for (const auto& e : uploads) EXPECT_EQ(e["attempt"], 1) << e.dump();
}

TEST_F(JobHome, LedgerAndLogsLiveBesideTheConfigWhateverTheWorkingDirectory) {
  const std::string job_dir = dir_ + "/job", elsewhere = dir_ + "/elsewhere";
  std::filesystem::create_directories(job_dir);
  std::filesystem::create_directories(elsewhere);
  // The fixture's config with relative ledger and log paths, in its own
  // directory.
  std::string text = read_file(this->config());
  text.replace(text.find("path: " + dir_ + "/ledger.db"), ("path: " + dir_ + "/ledger.db").size(),
               "path: state/ledger.db");
  text.replace(text.find("dir: " + dir_ + "/logs"), ("dir: " + dir_ + "/logs").size(), "dir: logs");
  const std::string config = job_dir + "/relay.yaml";
  write_config_file(config, text);

  auto run = s5j_in(elsewhere, {"relay", "-c", config, "--once", "--no-progress"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(std::filesystem::exists(job_dir + "/state/ledger.db"));
  EXPECT_FALSE(testing::log_files(job_dir + "/logs").empty());
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere)) << "s5j wrote into the working directory";

  // status from a third directory, through a relative config path, sees
  // the job's runs.
  auto status = s5j_in(dir_, {"status", "-c", "job/relay.yaml", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["job_exists"], true);
  EXPECT_EQ(j["ledger"], job_dir + "/state/ledger.db");
  EXPECT_EQ(j["remaining"]["objects"], 0) << status.out;
}

TEST_F(JobHome, VerifyOfAStagedJobAdvisesTheRelayNotSync) {
  const std::string config = this->config();
  auto relay = s5j({"relay", "-c", config, "--once", "--no-progress"});
  ASSERT_EQ(relay.exit_code, 0) << relay.out << relay.err;
  ASSERT_TRUE(dst_client_->delete_object(dst_bucket_, "out/a").has_value());
  auto verify = s5j({"verify", "-c", config});
  EXPECT_EQ(verify.exit_code, 12) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("s5j relay, or s5j stage then s5j drain"), std::string::npos) << verify.out;
  EXPECT_EQ(verify.out.find("s5j sync"), std::string::npos) << verify.out;
}

TEST_F(JobHome, ALedgerWhereOlderVersionsPutItIsNotReplacedByAnEmptyOne) {
  const std::string job_dir = dir_ + "/job", old_cwd = dir_ + "/old-cwd";
  std::filesystem::create_directories(job_dir);
  std::filesystem::create_directories(old_cwd);
  std::string text = read_file(this->config());
  text.replace(text.find("path: " + dir_ + "/ledger.db"), ("path: " + dir_ + "/ledger.db").size(),
               "path: s5j-ledger.db");
  const std::string config = job_dir + "/relay.yaml";
  write_config_file(config, text);
  std::ofstream(old_cwd + "/s5j-ledger.db") << "";  // where s5j 0.1 put it

  for (const char* command : {"relay", "sync", "status"}) {
    std::vector<std::string> args{command, "-c", config};
    if (std::string(command) != "status") args.push_back("--no-progress");
    auto r = s5j_in(old_cwd, args);
    EXPECT_EQ(r.exit_code, 10) << command << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(old_cwd + "/s5j-ledger.db"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(job_dir + "/s5j-ledger.db"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(job_dir + "/s5j-ledger.db"));
  EXPECT_EQ(staged_file_count(), 0u);
}

TEST_F(JobHome, AnotherLedgerOfTheSameJobCannotStageIntoItsVolumesWhileItRuns) {
  // A continuous stage holds the volumes; the bandwidth cap keeps it busy.
  std::string first = read_file(this->config());
  const std::string first_config = dir_ + "/first.yaml";
  first.replace(first.find("  endpoint_urls"), 0, "  max_bandwidth: 1MiB\n");
  write_config_file(first_config, first);
  testing::BackgroundProcess running({testing::s5j_binary(), "stage", "-c", first_config, "--no-progress"}, {}, dir_);
  bool planned = false;
  for (int i = 0; i < 2000 && running.running() && !planned; ++i) {
    planned = !testing::events_named(testing::read_events(dir_ + "/logs"), "plan_done").empty();
    if (!planned) std::this_thread::sleep_for(10ms);  // polling the log
  }
  ASSERT_TRUE(planned) << "the first stage run did not start";

  // The same job through another ledger file.
  std::string second = read_file(this->config());
  second.replace(second.find(dir_ + "/ledger.db"), (dir_ + "/ledger.db").size(), dir_ + "/other-ledger.db");
  const std::string second_config = dir_ + "/second.yaml";
  write_config_file(second_config, second);
  auto refused = s5j({"stage", "-c", second_config, "--once", "--no-progress"});
  EXPECT_EQ(refused.exit_code, 11) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("in use by job"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(dir_ + "/ledger.db"), std::string::npos) << refused.err;

  // A drain of the running job's own ledger shares the volumes.
  running.kill(SIGTERM);
  auto stopped = running.wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  auto relay = s5j({"relay", "-c", this->config(), "--once", "--no-progress"});
  ASSERT_EQ(relay.exit_code, 0) << relay.out << relay.err;
  expect_identical();
}

}  // namespace
}  // namespace s5j::relay_test
