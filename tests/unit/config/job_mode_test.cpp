// job.mode: how `s5j transfer` moves the job (auto, relay, sync).
#include "config_test_fixture.h"

namespace s5j::config {
namespace {

TEST_F(ConfigTest, JobModeDefaultsToAuto) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->job_mode, "auto");
}

TEST_F(ConfigTest, JobModeTakesRelaySyncAndTheirOtherNames) {
  for (const auto& [given, meant] : std::vector<std::pair<std::string, std::string>>{
           {"relay", "relay"}, {"staged", "relay"}, {"sync", "sync"}, {"direct", "sync"}, {"AUTO", "auto"}}) {
    auto c = parse(kMinimal + "job:\n  mode: " + given + "\n");
    ASSERT_TRUE(c.has_value()) << given << ": " << c.error().message;
    EXPECT_EQ(c->job_mode, meant) << given;
  }
}

TEST_F(ConfigTest, UnknownJobModeNamesTheChoices) {
  const auto message = error_of(kMinimal + "job:\n  mode: teleport\n");
  EXPECT_NE(message.find("job.mode must be one of auto, relay, staged, sync, direct"), std::string::npos) << message;
}

}  // namespace
}  // namespace s5j::config
