// `s5j reset` end to end: refuses while a live process holds the job lock
// (exit 13 naming the pid) and without confirmation when stdin is no
// terminal (exit 2), changing nothing; with --yes it empties the job's
// ledger records and deletes its staged and partial files, leaving foreign
// files on the volumes, unknown entries, and other jobs untouched; open
// multipart uploads are aborted at a reachable destination (RGW) and stay
// listed when the destination is unreachable.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>

#include "http/curl_transport.h"
#include "integration/ops_test_support.h"
#include "s3/s3_client.h"
#include "staging/stager.h"

namespace s5j {
namespace {

using namespace opstest;
namespace fs = std::filesystem;

std::string hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

uint64_t object_count(ledger::Ledger& l, JobId job) {
  auto totals = l.totals(job);
  EXPECT_TRUE(totals.has_value());
  uint64_t n = 0;
  for (const auto& t : *totals) n += t.objects;
  return n;
}

// Stages `keys` of `job` through a Stager on `volume`; returns their paths.
std::vector<std::string> stage(ledger::Ledger& l, JobId job, const std::string& job_name, const std::string& volume,
                               const std::vector<std::string>& keys) {
  staging::StagingOptions o;
  o.volumes = {volume};
  o.job = job_name;
  o.reserve_bytes = 0;
  auto stager = staging::Stager::open(o);
  EXPECT_TRUE(stager.has_value());
  std::vector<std::string> paths;
  for (const auto& key : keys) {
    const auto id = get(l, job, key).id.value;
    auto space = (*stager)->reserve(64, staging::WaitMode::fail_fast);
    EXPECT_TRUE(space.has_value());
    auto w = (*stager)->create_writer(id, std::move(*space));
    EXPECT_TRUE((*w)->append(std::string(64, 's')).has_value());
    auto file = (*w)->commit();
    EXPECT_TRUE(file.has_value());
    paths.push_back(file->path);
  }
  return paths;
}

class ResetCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = testing::make_temp_dir("reset-volumes");
    v1_ = base_ + "/v1";
    v2_ = base_ + "/v2";
    fs::create_directories(v1_);
    fs::create_directories(v2_);
    env_ = std::make_unique<OpsEnv>("reset", ConfigSpec{.job = "alpha", .volumes = {v1_, v2_}});
    ledger_ = env_->open_ledger();
    alpha_ = open_job(*ledger_, "alpha", ledger::JobMode::staged);
    beta_ = open_job(*ledger_, "beta", ledger::JobMode::staged);
    add_objects(*ledger_, alpha_, {"a1", "a2", "a3", "a4"}, 64);
    add_objects(*ledger_, beta_, {"b1", "b2"}, 64);
    alpha_files_ = stage(*ledger_, alpha_, "alpha", v1_, {"a1", "a2"});
    for (auto& p : stage(*ledger_, alpha_, "alpha", v2_, {"a3"})) alpha_files_.push_back(p);
    beta_files_ = stage(*ledger_, beta_, "beta", v1_, {"b1"});
    // A write of a4 cut short, a file that is not the stager's inside the
    // job's directory, and a foreign file at the volume's root.
    const auto id4 = get(*ledger_, alpha_, "a4").id.value;
    fs::create_directories(staging::shard_dir(v2_, "alpha", id4));
    partial_ = staging::part_path(v2_, "alpha", id4);
    std::ofstream(partial_) << "half";
    unknown_ = staging::job_dir(v1_, "alpha") + "/operator-notes.txt";
    std::ofstream(unknown_) << "keep me";
    foreign_ = v1_ + "/foreign.dat";
    std::ofstream(foreign_) << "not s5j's";
  }

  std::string base_, v1_, v2_, partial_, unknown_, foreign_;
  std::unique_ptr<OpsEnv> env_;
  std::unique_ptr<ledger::Ledger> ledger_;
  JobId alpha_, beta_;
  std::vector<std::string> alpha_files_, beta_files_;
};

TEST_F(ResetCommand, YesEmptiesTheJobAndItsStagedFilesOnly) {
  auto r = s5j({"reset", "-c", env_->config, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("4 objects"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("staged files on " + v1_ + ": 2 files"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("staged files on " + v2_ + ": 1 files"), std::string::npos) << r.out;
  // The prompt says what the next run does with what is already at the
  // destination: the relay skips it, `stage` alone does not.
  EXPECT_NE(r.out.find("the next relay lists the destination and skips objects already identical there"),
            std::string::npos)
      << r.out;

  EXPECT_EQ(object_count(*ledger_, alpha_), 0u);
  for (const auto& p : alpha_files_) EXPECT_FALSE(fs::exists(p)) << p;
  EXPECT_FALSE(fs::exists(partial_));
  EXPECT_TRUE(fs::exists(unknown_));
  EXPECT_TRUE(fs::exists(foreign_));
  EXPECT_EQ(object_count(*ledger_, beta_), 2u);
  for (const auto& p : beta_files_) EXPECT_TRUE(fs::exists(p)) << p;
  auto holder = ledger_->job_lock_holder(alpha_);
  ASSERT_TRUE(holder.has_value());
  EXPECT_FALSE(holder->has_value()) << "reset must release the job lock";

  // Again: nothing left to do.
  r = s5j({"reset", "-c", env_->config, "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to remove"), std::string::npos) << r.out;
}

TEST_F(ResetCommand, RefusesWhileALiveProcessHoldsTheJobLock) {
  const int64_t pid = getpid();  // this test process plays the running sync
  auto lock = ledger_->acquire_job_lock(alpha_, {.owner = "running-sync", .pid = pid, .host = hostname()});
  ASSERT_TRUE(lock && lock->acquired);
  auto r = s5j({"reset", "-c", env_->config, "--yes"});
  EXPECT_EQ(r.exit_code, 13) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("pid " + std::to_string(pid)), std::string::npos) << r.err;
  EXPECT_EQ(object_count(*ledger_, alpha_), 4u);
  for (const auto& p : alpha_files_) EXPECT_TRUE(fs::exists(p)) << p;
  auto holder = ledger_->job_lock_holder(alpha_);
  ASSERT_TRUE(holder && *holder);
  EXPECT_EQ((*holder)->owner, "running-sync");
}

TEST_F(ResetCommand, BreaksTheLockOfAProcessThatIsGone) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  auto lock = ledger_->acquire_job_lock(alpha_, {.owner = "crashed-sync", .pid = child, .host = hostname()});
  ASSERT_TRUE(lock && lock->acquired);
  auto r = s5j({"reset", "-c", env_->config, "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(object_count(*ledger_, alpha_), 0u);
}

TEST_F(ResetCommand, ALiveRoleStillRefusesWhenADeadRoleIsBroken) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  auto stage = ledger_->acquire_job_lock(
      alpha_, {.owner = "dead-stage", .pid = child, .host = hostname(), .roles = {"stage"}});
  ASSERT_TRUE(stage && stage->acquired);
  auto drain = ledger_->acquire_job_lock(
      alpha_, {.owner = "live-drain", .pid = getpid(), .host = hostname(), .roles = {"drain"}});
  ASSERT_TRUE(drain && drain->acquired);

  auto r = s5j({"reset", "-c", env_->config, "--yes"});
  EXPECT_EQ(r.exit_code, 13) << r.err;
  EXPECT_NE(r.err.find("pid " + std::to_string(getpid())), std::string::npos) << r.err;
  EXPECT_EQ(object_count(*ledger_, alpha_), 4u);
  auto holders = ledger_->job_lock_holders(alpha_);
  ASSERT_TRUE(holders.has_value());
  EXPECT_TRUE(std::any_of(holders->begin(), holders->end(), [](const auto& h) { return h.owner == "live-drain"; }))
      << "a live run's lock must stay";
}

TEST_F(ResetCommand, WithoutYesAndWithoutATerminalRefusesWithExitCode2) {
  auto r = s5j({"reset", "-c", env_->config});  // run_process gives /dev/null as stdin
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_EQ(object_count(*ledger_, alpha_), 4u);
  for (const auto& p : alpha_files_) EXPECT_TRUE(fs::exists(p)) << p;
  EXPECT_TRUE(fs::exists(partial_));
}

TEST_F(ResetCommand, UnreachableDestinationLeavesUploadsListed) {
  auto ref = ledger_->begin_upload({.object = get(*ledger_, alpha_, "a1").id, .upload_id = "upload-1",
                                    .part_size = 5 << 20, .part_count = 2});
  ASSERT_TRUE(ref.has_value());
  auto r = s5j({"reset", "-c", env_->config, "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("upload-1"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("stay listed"), std::string::npos) << r.err;
  auto open = ledger_->open_uploads(alpha_);
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().status, ledger::UploadStatus::abandoned);
  EXPECT_EQ(object_count(*ledger_, alpha_), 0u);
}

TEST(ResetCommandRgw, AbortsOpenUploadsAtAReachableDestination) {
  s3::ClientOptions options;
  options.endpoint_urls = {testing::endpoint_a()};
  options.credentials = {testing::access_key(), testing::secret_key(), ""};
  options.retry.max_attempts = 2;
  auto client = std::move(*s3::make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{})));
  const std::string bucket = testing::unique_bucket_name("reset");
  if (auto made = client->create_bucket(bucket); !made) {
    if (made.error().code == "ConnectFailed" || made.error().code == "Timeout")
      GTEST_SKIP() << "no working RGW at " << testing::endpoint_a() << ": " << made.error().describe();
    FAIL() << made.error().describe();
  }
  auto upload_id = client->create_multipart_upload(bucket, "dst/big object");
  ASSERT_TRUE(upload_id.has_value()) << upload_id.error().describe();
  auto other_upload = client->create_multipart_upload(bucket, "dst/not ours");
  ASSERT_TRUE(other_upload.has_value());

  OpsEnv env("reset-rgw", {.destination_endpoint = testing::endpoint_a(), .destination_bucket = bucket,
                           .destination_prefix = "dst/"});
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "default", ledger::JobMode::direct);
  add_objects(*ledger, job, {"big object", "gone"}, 100 << 20);
  ASSERT_TRUE(ledger->begin_upload({.object = get(*ledger, job, "big object").id, .upload_id = *upload_id,
                                    .part_size = 16 << 20, .part_count = 7}));
  ASSERT_TRUE(ledger->begin_upload({.object = get(*ledger, job, "gone").id, .upload_id = "no-such-upload-id",
                                    .part_size = 16 << 20, .part_count = 7}));

  auto r = s5j({"reset", "-c", env.config, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 aborted, 1 already gone, 0 still listed"), std::string::npos) << r.out;
  auto open = ledger->open_uploads(job);
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(open->empty());
  auto remaining = client->list_multipart_uploads(bucket, "dst/");
  ASSERT_TRUE(remaining.has_value());
  ASSERT_EQ(remaining->uploads.size(), 1u);  // only the upload the ledger did not know
  EXPECT_EQ(remaining->uploads.front().upload_id, *other_upload);
  (void)client->abort_multipart_upload(bucket, "dst/not ours", *other_upload);
}

}  // namespace
}  // namespace s5j
