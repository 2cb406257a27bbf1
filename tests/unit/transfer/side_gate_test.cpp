// SideGate: a refusal checked by a probe; an object's own refusal leaves the
// gate open; a side's closes it until a probe is accepted, with the wait
// doubling up to its cap; stop() ends every wait.
#include "transfer/side_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "s3/s3_error_codes.h"
#include "support/job_files.h"
#include "support/test_env.h"

namespace s5j::transfer {
namespace {

using std::chrono::milliseconds;

Error refusal(const char* code) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = code;
  e.message = "refused by the test";
  return e;
}

class SideGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("side-gate");
    auto log = log::EventLog::open(dir_, "events.jsonl", log::Redactor());
    ASSERT_TRUE(log.has_value());
    events_ = std::move(*log);
  }
  // The probe answers refused `refusals` times, then accepts.
  SideGate gate(int refusals) {
    refusals_left_ = refusals;
    return SideGate({.side = "destination", .first_retry = milliseconds(1), .max_retry = milliseconds(4)},
                    [this]() -> Status {
                      ++probes_;
                      if (refusals_left_-- > 0) return std::unexpected(refusal(s3::kInvalidAccessKeyId));
                      return {};
                    },
                    SystemClock::instance(), *events_);
  }
  std::vector<std::string> event_names() {
    events_->flush();
    std::vector<std::string> out;
    for (const auto& e : testing::read_event_file(events_->path())) out.push_back(e["event"].get<std::string>());
    return out;
  }

  std::string dir_;
  std::unique_ptr<log::EventLog> events_;
  std::atomic<int> refusals_left_{0};
  std::atomic<int> probes_{0};
};

TEST_F(SideGateTest, ARefusalTheProbeDoesNotShareIsTheObjectsOwn) {
  SideGate g = gate(0);
  EXPECT_EQ(g.refused(refusal(s3::kAccessDenied)), SideGate::Verdict::object_refused);
  EXPECT_TRUE(g.is_open());
  EXPECT_FALSE(g.refusal().has_value());
  EXPECT_TRUE(g.wait_open());
  EXPECT_EQ(probes_, 1);
  EXPECT_EQ(event_names(), std::vector<std::string>{"destination_probe_accepted"});
}

TEST_F(SideGateTest, ARefusedSideClosesTheGateUntilAProbeIsAcceptedWaitingLongerEachTime) {
  SideGate g = gate(5);  // the refusal's own probe, then four more refused
  std::vector<milliseconds> waits;
  g.set_on_change([&] {
    if (auto r = g.refusal()) waits.push_back(r->retry_in);
  });
  EXPECT_EQ(g.refused(refusal(s3::kInvalidAccessKeyId)), SideGate::Verdict::side_refused);
  ASSERT_FALSE(g.is_open());
  ASSERT_TRUE(g.refusal().has_value());
  EXPECT_EQ(g.refusal()->error.code, s3::kInvalidAccessKeyId);
  EXPECT_GE(g.refusal()->retry_at, g.refusal()->since);
  // A second refusal while closed probes nothing.
  EXPECT_EQ(g.refused(refusal(s3::kAccessDenied)), SideGate::Verdict::side_refused);
  EXPECT_EQ(probes_, 1);

  EXPECT_TRUE(g.wait_open());
  EXPECT_TRUE(g.is_open());
  EXPECT_EQ(probes_, 6);
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(1), milliseconds(2), milliseconds(4), milliseconds(4),
                                              milliseconds(4)}));
  EXPECT_EQ(event_names(), (std::vector<std::string>{"destination_refused", "destination_still_refused",
                                                     "destination_still_refused", "destination_still_refused",
                                                     "destination_still_refused", "destination_accepted"}));
}

TEST_F(SideGateTest, ManyWaitersOneProbeAtATimeAllGoOnWhenItOpens) {
  SideGate g = gate(3);
  ASSERT_EQ(g.refused(refusal(s3::kSignatureDoesNotMatch)), SideGate::Verdict::side_refused);
  std::atomic<int> opened{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) waiters.emplace_back([&] { opened += g.wait_open() ? 1 : 0; });
  for (auto& t : waiters) t.join();
  EXPECT_EQ(opened, 8);
  EXPECT_EQ(probes_, 4);  // one per step, never one per waiter
}

TEST_F(SideGateTest, StopEndsEveryWait) {
  SideGate g = gate(1'000'000);
  ASSERT_EQ(g.refused(refusal(s3::kNoSuchBucket)), SideGate::Verdict::side_refused);
  std::atomic<int> results{0};
  std::thread waiter([&] { results += g.wait_open() ? 100 : 1; });
  g.stop();
  waiter.join();
  EXPECT_EQ(results, 1);
  EXPECT_FALSE(g.wait_open());
}

}  // namespace
}  // namespace s5j::transfer
