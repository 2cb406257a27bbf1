// Issue #23 (1): a destination that starts refusing the relay in the middle
// of a run. Continuous: nothing fails, staging stops while the destination
// refuses (at most the fetches already in flight finish), the status shows
// why, and the relay goes on by itself once the destination accepts again.
// --once: the run stops with the refusal, nothing failed.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "s3/s3_error_codes.h"
#include "transfer/relay_engine.h"
#include "unit/transfer/in_memory_fixture.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;
using testing::S3Op;

class RelayRefusalTest : public InMemoryFixture {
 protected:
  void SetUp() override {
    InMemoryFixture::SetUp();
    destination_server_->create_bucket("dst");
    for (int i = 0; i < kObjects; ++i)
      server_->put("src", "obj-" + std::to_string(100 + i), test_bytes(3000 + i, static_cast<unsigned>(i)));
    job(ledger::JobMode::staged);
  }

  RelaySettings settings(bool once) {
    RelaySettings s;
    s.job = "job";
    s.source_bucket = "src";
    s.destination_bucket = "dst";
    const std::string volume = dir_ + "/volume";
    std::filesystem::create_directories(volume);
    s.staging.volumes = {volume};
    s.staging.job = "job";
    s.staging.reserve_bytes = 0;
    s.workers = kWorkers;
    s.part_threads = 2;
    s.memory_budget = 16 * kMiB;
    s.once = once;
    s.poll_interval = std::chrono::milliseconds(5);
    s.scan_interval = std::chrono::milliseconds(50);
    s.flush_interval = std::chrono::milliseconds(5);
    s.refusal_first_retry = std::chrono::milliseconds(5);
    s.refusal_max_retry = std::chrono::milliseconds(20);
    return s;
  }

  uint64_t in_state(ObjectState state) {
    auto totals = ledger_->totals(job());
    EXPECT_TRUE(totals.has_value());
    for (const auto& t : *totals)
      if (t.state == state) return t.objects;
    return 0;
  }

  static constexpr int kObjects = 60;
  static constexpr int kWorkers = 3;
  std::shared_ptr<testing::InMemoryS3> destination_server_ = std::make_shared<testing::InMemoryS3>();
  std::unique_ptr<s3::S3Client> destination_ = in_memory_client(destination_server_);
};

TEST_F(RelayRefusalTest, ContinuousRelayPausesWhileTheDestinationRefusesAndResumesByItself) {
  // The credentials are revoked after the first upload; the probes that
  // follow are refused until the third, during which they are restored.
  std::atomic<bool> revoked{false};
  std::atomic<int> probes{0};
  std::atomic<int> gets_at_first_probe{0}, gets_at_third_probe{0};
  std::mutex seen_mutex;
  std::optional<ledger::RunActivity> activity_while_refused;
  destination_server_->on_request = [&](const testing::RequestSeen& seen) {
    if (seen.op == S3Op::put_object && !revoked.exchange(true))
      destination_server_->refuse_all(403, s3::kInvalidAccessKeyId);
    if (seen.op != S3Op::list_objects_v2 || !revoked) return;
    const int n = ++probes;
    if (n == 1) gets_at_first_probe = server_->calls(S3Op::get_object);
    if (n == 3) {
      gets_at_third_probe = server_->calls(S3Op::get_object);
      auto holder = ledger_->job_lock_holder(job());
      std::lock_guard lock(seen_mutex);
      if (holder && *holder) activity_while_refused = (*holder)->activity;
      destination_server_->accept_all();
    }
  };

  const RelaySettings s = settings(/*once=*/false);
  RelayEngine engine(s, client_.get(), destination_.get(), *ledger_, *events_);
  Result<RelayReport> report;
  std::thread run([&] { report = engine.run(); });
  // Polls the ledger (the observable end), each poll a short pause.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (in_state(ObjectState::verified) < static_cast<uint64_t>(kObjects) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  engine.request_stop();
  run.join();

  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(in_state(ObjectState::verified), static_cast<uint64_t>(kObjects));
  EXPECT_EQ(report->failed_objects, 0u);
  EXPECT_EQ(in_state(ObjectState::failed), 0u);
  ASSERT_GE(probes.load(), 4) << "the gate must have been probed until accepted";
  // Between the first probe (the gate closing) and the third, staging
  // stopped: only fetches already admitted could finish.
  EXPECT_LE(gets_at_third_probe - gets_at_first_probe, kWorkers);
  {
    std::lock_guard lock(seen_mutex);
    ASSERT_TRUE(activity_while_refused.has_value());
    EXPECT_EQ(activity_while_refused->name, "destination_refused");
    EXPECT_TRUE(activity_while_refused->detail.starts_with(s3::kInvalidAccessKeyId)) << activity_while_refused->detail;
    EXPECT_TRUE(activity_while_refused->retry_at.has_value());
  }
  EXPECT_EQ(destination_server_->keys("dst"), server_->keys("src"));
  for (const auto& key : server_->keys("src"))
    EXPECT_TRUE(destination_server_->object("dst", key)->data == server_->object("src", key)->data) << key;
}

TEST_F(RelayRefusalTest, RelayOnceStopsWithTheRefusalAndFailsNothing) {
  std::atomic<bool> revoked{false};
  destination_server_->on_request = [&](const testing::RequestSeen& seen) {
    if (seen.op == S3Op::put_object && !revoked.exchange(true))
      destination_server_->refuse_all(403, s3::kSignatureDoesNotMatch);
  };
  RelayEngine engine(settings(/*once=*/true), client_.get(), destination_.get(), *ledger_, *events_);
  auto report = engine.run();
  ASSERT_FALSE(report.has_value()) << "a --once relay must stop at a refusing destination";
  EXPECT_EQ(report.error().code, s3::kSignatureDoesNotMatch);
  EXPECT_TRUE(report.error().message.starts_with("destination: ")) << report.error().message;
  EXPECT_EQ(in_state(ObjectState::failed), 0u);
  EXPECT_EQ(in_state(ObjectState::verified), 1u);  // the upload before the refusal
  // Stopped early: most objects were never staged.
  EXPECT_LT(server_->calls(S3Op::get_object), kObjects);
}

}  // namespace
}  // namespace s5j::transfer
