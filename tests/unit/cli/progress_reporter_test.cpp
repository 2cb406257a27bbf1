// The progress line's parts: the bar, the ETA text, the relay's line
// without a status source.
#include "cli/progress_reporter.h"

#include <gtest/gtest.h>

#include "cli/relay_output.h"

namespace s5j::cli {
namespace {

TEST(ProgressReporter, BarShowsTheShareDone) {
  EXPECT_EQ(progress_bar(0, 100), "[--------------------] 0%");
  EXPECT_EQ(progress_bar(45, 100), "[#########-----------] 45%");
  EXPECT_EQ(progress_bar(100, 100), "[####################] 100%");
  EXPECT_EQ(progress_bar(150, 100), "[####################] 100%") << "a relisted object may grow the total late";
  EXPECT_EQ(progress_bar(0, 0), "[....................]");
}

TEST(ProgressReporter, EtaText) {
  EXPECT_EQ(eta_text(0.0), "0:00:00");
  EXPECT_EQ(eta_text(3723.4), "1:02:03");
  EXPECT_EQ(eta_text(100 * 3600.0), "100:00:00");
  EXPECT_EQ(eta_text(std::nullopt), "-");
  EXPECT_EQ(eta_text(-1.0), "-");
  EXPECT_EQ(eta_suffix(nullptr), "");
}

TEST(ProgressReporter, RelayLineHasABarOfItsLegsBytes) {
  transfer::RelayProgress p;
  p.planning = false;
  p.listed_objects = 10;
  p.to_stage_objects = 10;
  p.to_stage_bytes = 1000;
  p.staged_objects = 5;
  p.staged_bytes = 500;
  p.to_upload_objects = 10;
  p.to_upload_bytes = 1000;
  p.verified_objects = 2;
  p.verified_bytes = 200;
  const auto stage = relay_progress_line(transfer::RelayRole::stage, p, nullptr);
  EXPECT_TRUE(stage.starts_with("[##########----------] 50% staged 5 of 10")) << stage;
  const auto relay = relay_progress_line(transfer::RelayRole::relay, p, nullptr);
  EXPECT_TRUE(relay.starts_with("[####----------------] 20% ")) << relay;
  p.planning = true;
  EXPECT_EQ(relay_progress_line(transfer::RelayRole::relay, p, nullptr).find('['), std::string::npos);
}

}  // namespace
}  // namespace s5j::cli
