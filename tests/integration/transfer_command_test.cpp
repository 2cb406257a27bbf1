// `s5j transfer`: the whole job in one command against the two real
// gateways: a staged job (relay through two volumes) and a direct one
// (sync), a second run that brings back an object deleted at the
// destination, and the refusal without a terminal and without --yes.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "relay_test_support.h"

namespace s5j::relay_test {
namespace {

class TransferCommandTest : public RelayTest {
 protected:
  void seed(int count) {
    std::vector<testing::SeedObject> objects;
    for (int i = 0; i < count; ++i)
      objects.push_back({"in/obj-" + std::to_string(i), testing::random_bytes(1000 + i * 37, 100 + i)});
    objects.push_back({"in/large", testing::random_bytes(7 * kMiB, 7), 5 * kMiB});
    ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects, 8));
  }
  // A config without a staging section: a direct job.
  std::string direct_config() {
    return testing::write_job_config(testing::JobConfig{{testing::endpoint_a(), src_bucket_, "in/"},
                                                        {testing::endpoint_b(), dst_bucket_, "out/"},
                                                        dir_,
                                                        "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n"});
  }
  void expect_complete(const testing::ProcessResult& r, const std::string& mode, size_t objects) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("== pre-flight"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(mode), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ledger: " + dir_ + "/ledger.db"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("== plan"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("started "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("duration "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("proven             " + std::to_string(objects) + " objects"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("transfer complete"), std::string::npos) << r.out;
  }
};

TEST_F(TransferCommandTest, StagedJobRelaysVerifiesAndEndsIdentical) {
  seed(20);
  const auto cfg = config();
  const auto r = s5j({"transfer", "-c", cfg, "--yes"});
  expect_complete(r, "staged relay", 21);
  EXPECT_NE(r.out.find("volume " + volumes_[0]), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("volume " + volumes_[1]), std::string::npos) << r.out;
  expect_identical();
  expect_volumes_empty();
}

TEST_F(TransferCommandTest, DirectJobSyncsVerifiesAndEndsIdentical) {
  seed(20);
  const auto cfg = direct_config();
  ASSERT_EQ(::chmod(cfg.c_str(), 0644), 0);  // a config warning, to be shown once, not by every step
  const auto r = s5j({"transfer", "-c", cfg, "--yes"});
  expect_complete(r, "direct sync", 21);
  size_t warnings = 0;
  for (size_t at = 0; (at = r.err.find("readable by group/others", at)) != std::string::npos; ++at) ++warnings;
  EXPECT_EQ(warnings, 1u) << r.err;
  EXPECT_EQ(r.out.find("staging:"), std::string::npos) << "a direct job has no staging check\n" << r.out;
  expect_identical();
}

TEST_F(TransferCommandTest, SecondRunBringsBackAnObjectDeletedAtTheDestination) {
  seed(10);
  const auto cfg = config();
  ASSERT_EQ(s5j({"transfer", "-c", cfg, "--yes"}).exit_code, 0);
  ASSERT_TRUE(dst_client_->delete_object(dst_bucket_, "out/obj-3").has_value());

  // The ledger holds everything as verified: the first round moves nothing,
  // verify reopens the missing object, the second round brings it back.
  const auto r = s5j({"transfer", "-c", cfg, "--yes"});
  expect_complete(r, "staged relay", 11);
  EXPECT_NE(r.out.find("ledger verified    11 objects"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("== transfer (round 2"), std::string::npos) << r.out;
  expect_identical();
}

TEST_F(TransferCommandTest, WithoutTerminalOrYesRefusesAndMovesNothing) {
  seed(5);
  const auto r = s5j({"transfer", "-c", direct_config()});  // stdin is /dev/null
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("== plan"), std::string::npos) << "the plan is shown before refusing\n" << r.out;
  auto listed = dst_client_->list_objects(s3::ListRequest{.bucket = dst_bucket_, .prefix = ""});
  ASSERT_TRUE(listed.has_value());
  EXPECT_TRUE(listed->objects.empty()) << "nothing may move without a confirmation";
}

TEST_F(TransferCommandTest, JobModeRelayStagesThroughThePatternsVolumes) {
  seed(5);
  // The original toolset's staging: no staging.volumes, the volumes found
  // by the pattern; only job.mode says the job is staged.
  for (const auto& v : {"/pat01", "/pat02"}) std::filesystem::create_directories(dir_ + v);
  const auto cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/"},
      {testing::endpoint_b(), dst_bucket_, "out/"},
      dir_,
      "job:\n  mode: relay\nstaging:\n  volume_pattern: " + dir_ + "/pat\n  reserve: 0\n"});
  const auto r = s5j({"transfer", "-c", cfg, "--yes"});
  expect_complete(r, "staged relay", 6);
  EXPECT_NE(r.out.find("volume " + dir_ + "/pat02"), std::string::npos) << r.out;
  expect_identical();
}

TEST_F(TransferCommandTest, JobModeContradictingTheLedgerIsRefusedBeforeAnythingMoves) {
  seed(3);
  ASSERT_EQ(s5j({"transfer", "-c", config(), "--yes"}).exit_code, 0);  // the ledger records a staged job
  ASSERT_TRUE(dst_client_->delete_object(dst_bucket_, "out/obj-1").has_value());
  const auto cfg = testing::write_job_config(testing::JobConfig{{testing::endpoint_a(), src_bucket_, "in/"},
                                                                {testing::endpoint_b(), dst_bucket_, "out/"},
                                                                dir_,
                                                                "job:\n  mode: sync\n"});
  const auto r = s5j({"transfer", "-c", cfg, "--yes"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("job.mode is sync, but the ledger holds job default as staged"), std::string::npos) << r.err;
  auto gone = dst_client_->head_object(dst_bucket_, "out/obj-1");
  EXPECT_FALSE(gone.has_value()) << "nothing may move after the refusal";
}

// Ctrl-C halfway through the transfer: it stops cleanly, exits 12 (the
// destination is not proven complete, so a `&& next-step` does not go on)
// without verifying, and the next run finishes the job.
TEST_F(TransferCommandTest, InterruptStopsCleanlyWithExit12AndTheNextRunFinishes) {
  constexpr int kObjects = 40;
  std::vector<testing::SeedObject> objects;
  for (int i = 0; i < kObjects; ++i)
    objects.push_back({"in/o-" + std::to_string(100 + i), testing::random_bytes(256 * 1024, 700 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  // 10 MiB at 1 MiB/s: about ten seconds of work.
  const std::string cfg = testing::write_job_config(
      testing::JobConfig{{testing::endpoint_a(), src_bucket_, "in/", "  max_bandwidth: 1MiB\n"},
                         {testing::endpoint_b(), dst_bucket_, "out/"},
                         dir_,
                         "transfer:\n  workers: 4\n"});
  testing::BackgroundProcess transfer({testing::s5j_binary(), "transfer", "--yes", "--no-progress", "-c", cfg}, {},
                                      dir_);
  // Wait until the ledger shows some objects verified and some not.
  bool halfway = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!halfway && transfer.running() && std::chrono::steady_clock::now() < deadline) {
    const auto t = totals();
    const uint64_t verified = t.contains(ledger::ObjectState::verified) ? t.at(ledger::ObjectState::verified) : 0;
    halfway = verified > 0 && verified < static_cast<uint64_t>(kObjects);
    if (!halfway) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // pacing the polls
  }
  ASSERT_TRUE(halfway) << "the transfer never showed progress halfway" << (transfer.running() ? "" : " (it had ended)");
  transfer.kill(SIGINT);
  const auto stopped = transfer.wait();
  EXPECT_EQ(stopped.exit_code, 12) << stopped.out << stopped.err;
  EXPECT_NE(stopped.err.find("stopped on request before the destination was proven complete"), std::string::npos)
      << stopped.err;
  EXPECT_EQ(stopped.out.find("== verify"), std::string::npos) << "a stopped transfer does not verify\n" << stopped.out;

  const auto finished = s5j({"transfer", "-c", cfg, "--yes"});
  EXPECT_EQ(finished.exit_code, 0) << finished.out << finished.err;
  expect_identical();
}

}  // namespace
}  // namespace s5j::relay_test
