// What stage, drain and relay print while they run and when stopped: done
// and remaining in words, never "verified 145/0", and a stop with nothing
// remaining says the job is complete instead of "run again to resume".
#include "cli/relay_output.h"

#include <gtest/gtest.h>

namespace s5j::cli {
namespace {

using transfer::RelayProgress;
using transfer::RelayReport;
using transfer::RelayRole;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(RelayProgressText, StageCountsWhatItHasToStageNotUploads) {
  RelayProgress p{.planning = false, .listed_objects = 307, .to_stage_objects = 307, .staged_objects = 145};
  const auto line = relay_progress_text(RelayRole::stage, p);
  EXPECT_TRUE(has(line, "staged 145 of 307 to stage")) << line;
  EXPECT_TRUE(has(line, "307 listed")) << line;
  EXPECT_FALSE(has(line, "/0")) << line;
}

TEST(RelayProgressText, StageDoneAndScanningSaysItWaitsForNewObjects) {
  RelayProgress p{.planning = false, .scanning = true, .listed_objects = 307, .to_stage_objects = 307,
                  .staged_objects = 307};
  const auto line = relay_progress_text(RelayRole::stage, p);
  EXPECT_TRUE(has(line, "all 307 listed objects staged or verified")) << line;
  EXPECT_TRUE(has(line, "waiting for new objects")) << line;
}

TEST(RelayProgressText, DrainWithNothingLeftSaysSoInWords) {
  RelayProgress p{.planning = false, .to_upload_objects = 0, .verified_objects = 0};
  const auto line = relay_progress_text(RelayRole::drain, p);
  EXPECT_TRUE(has(line, "all 0 objects that were left are uploaded and verified")) << line;
  EXPECT_TRUE(has(line, "waiting for newly staged objects")) << line;
  EXPECT_FALSE(has(line, "0/0")) << line;
}

TEST(RelayProgressText, DrainCountsVerifiedOfWhatWasLeft) {
  RelayProgress p{.planning = false, .to_upload_objects = 307, .verified_objects = 128};
  EXPECT_TRUE(has(relay_progress_text(RelayRole::drain, p), "uploaded and verified 128 of 307 not yet verified"));
}

TEST(RelayProgressText, MoreDoneThanCountedAtTheStartNamesTheNewOnes) {
  RelayProgress p{.planning = false, .listed_objects = 320, .to_stage_objects = 307, .to_upload_objects = 307,
                  .staged_objects = 320, .verified_objects = 310};
  const auto line = relay_progress_text(RelayRole::relay, p);
  EXPECT_TRUE(has(line, "all 320 listed objects verified")) << line;
  p.verified_objects = 300;
  EXPECT_TRUE(has(relay_progress_text(RelayRole::relay, p), "staged 320 (307 at the start, the rest found since)"));
}

TEST(RelayProgressText, PlanningShowsTheListingAndTheWorkSoFar) {
  RelayProgress p{.planning = true, .listed_objects = 42};
  p.staged_objects = 7;
  p.verified_objects = 3;
  EXPECT_EQ(relay_progress_text(RelayRole::relay, p), "listing the source: 42 objects so far; 7 staged, 3 verified");
}

RelayReport stopped_report(RelayRole role, uint64_t total, uint64_t verified, uint64_t remaining) {
  RelayReport r;
  r.role = role;
  r.stopped = true;
  r.total_objects = total;
  r.total_verified = verified;
  r.remaining_objects = remaining;
  r.totals = {{"pending", total - verified}, {"verified", verified}};
  return r;
}

TEST(RelayStopText, NothingRemainingSaysTheJobIsComplete) {
  const auto text = relay_stop_text(stopped_report(RelayRole::stage, 307, 307, 0));
  EXPECT_TRUE(has(text, "the job is complete")) << text;
  EXPECT_FALSE(has(text, "run again")) << text;
  EXPECT_TRUE(has(relay_summary(stopped_report(RelayRole::relay, 307, 307, 0)), "relay stopped, job complete"));
}

TEST(RelayStopText, StageDoneButNotUploadedPointsAtDrain) {
  const auto text = relay_stop_text(stopped_report(RelayRole::stage, 307, 100, 0));
  EXPECT_TRUE(has(text, "s5j drain uploads the 207 objects not yet verified")) << text;
}

TEST(RelayStopText, WorkRemainingSaysRunAgain) {
  const auto text = relay_stop_text(stopped_report(RelayRole::relay, 307, 100, 207));
  EXPECT_TRUE(has(text, "207 objects remain: run again to resume")) << text;
}

}  // namespace
}  // namespace s5j::cli
