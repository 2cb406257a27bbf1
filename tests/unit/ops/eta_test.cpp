// The ETA by size class (ops/eta.h).
#include "ops/eta.h"

#include <gtest/gtest.h>

namespace s5j::ops {
namespace {

using ledger::ObjectState;
using ledger::SizeClassTotals;
using transfer::ClassPace;
using transfer::LegPaceFigures;
using transfer::RunFigures;

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

RunFigures one_leg(std::string leg, double busy, std::vector<std::pair<int, ClassPace>> classes) {
  LegPaceFigures l;
  l.leg = std::move(leg);
  l.busy_workers = busy;
  for (auto& [c, p] : classes) l.classes[static_cast<size_t>(c)] = p;
  return RunFigures{.leases_held = 0, .legs = {l}};
}

TEST(Eta, WeighsWhatIsLeftByThePaceOfItsSize) {
  // Videos just moved fast (1 GiB in 2 worker-seconds); what is left is a
  // million 4 KiB logs at 0.05 s each and one more video. Bytes per second
  // would say about 5 s; 16 workers need (10^6 × 0.05 + 2) / 16.
  const std::vector<SizeClassTotals> totals{
      {ObjectState::pending, 0, 1'000'000, 4096'000'000},
      {ObjectState::pending, 4, 1, GiB},
      {ObjectState::verified, 4, 500, 500 * GiB},
  };
  const auto eta = estimate_eta(totals, {one_leg("copy", 16, {{0, {256, 0.05, 4096}}, {4, {256, 2.0, double(GiB)}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_NEAR(*eta.seconds, (1e6 * 0.05 + 2.0) / 16, 1e-6);
  EXPECT_EQ(eta.leg, "copy");
  EXPECT_TRUE(eta.inferred_classes.empty());
}

TEST(Eta, CountsTheObjectsInFlightAndNotTheFailedOrDone) {
  const std::vector<SizeClassTotals> totals{
      {ObjectState::pending, 1, 10, 10 * 100 * KiB},
      {ObjectState::copying, 1, 6, 6 * 100 * KiB},
      {ObjectState::failed, 1, 1000, 1000 * 100 * KiB},
      {ObjectState::verified, 1, 1000, 1000 * 100 * KiB},
  };
  const auto eta = estimate_eta(totals, {one_leg("copy", 4, {{1, {10, 1.0, 100.0 * KiB}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_DOUBLE_EQ(*eta.seconds, 16.0 / 4);
}

TEST(Eta, AFleetAddsItsWorkersAndWeighsTheirPaceBySamples) {
  const std::vector<SizeClassTotals> totals{{ObjectState::pending, 2, 1200, 1200 * 4 * MiB}};
  // Host a: 8 busy, 1 s per object over 100 samples; host b: 4 busy, 2 s
  // over 100: the mean is 1.5 s, 12 workers.
  const auto eta = estimate_eta(totals, {one_leg("copy", 8, {{2, {100, 1.0, 4.0 * MiB}}}),
                                         one_leg("copy", 4, {{2, {100, 2.0, 4.0 * MiB}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_DOUBLE_EQ(*eta.seconds, 1200 * 1.5 / 12);
}

TEST(Eta, TheRelayTakesItsSlowerLeg) {
  // Stage has 100 pending left; drain has those plus 300 staged.
  const std::vector<SizeClassTotals> totals{
      {ObjectState::pending, 2, 100, 100 * 2 * MiB},
      {ObjectState::staged, 2, 300, 300 * 2 * MiB},
  };
  RunFigures relay;
  relay.legs = {one_leg("stage", 8, {{2, {50, 0.5, 2.0 * MiB}}}).legs[0],
                one_leg("drain", 8, {{2, {50, 0.4, 2.0 * MiB}}}).legs[0]};
  auto eta = estimate_eta(totals, {relay});
  ASSERT_TRUE(eta.seconds);
  EXPECT_DOUBLE_EQ(*eta.seconds, 400 * 0.4 / 8);  // drain: 20 s; stage: 6.25 s
  EXPECT_EQ(eta.leg, "drain");
}

TEST(Eta, InfersAClassNotSeenYetWithinWhatSizesAllow) {
  // Only 4 KiB objects measured (0.05 s each): a 64 MiB object takes at
  // least that and at most the same time per byte (819.2 s). With one
  // measured class, the longer bound is taken and the class named.
  const std::vector<SizeClassTotals> totals{{ObjectState::pending, 3, 1, 64 * MiB}};
  auto eta = estimate_eta(totals, {one_leg("copy", 1, {{0, {10, 0.05, 4096}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_DOUBLE_EQ(*eta.seconds, 0.05 * (64.0 * MiB / 4096));
  EXPECT_EQ(eta.inferred_classes, std::vector<std::string>{"lt256MiB"});

  // With classes measured on both sides, the line between them.
  eta = estimate_eta(totals, {one_leg("copy", 1, {{2, {10, 1.0, 8.0 * MiB}}, {4, {10, 9.0, 512.0 * MiB}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_NEAR(*eta.seconds, 1.0 + (64.0 - 8) * (9.0 - 1.0) / (512 - 8), 1e-9);

  // Smaller than every measured class: the line through the two smallest,
  // within the bounds (no more time than the smaller measured class).
  const std::vector<SizeClassTotals> small{{ObjectState::pending, 0, 1, 1 * KiB}};
  eta = estimate_eta(small, {one_leg("copy", 1, {{2, {10, 0.2, 2.0 * MiB}}, {3, {10, 0.5, 32.0 * MiB}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_NEAR(*eta.seconds, 0.2 + (1.0 / 1024 - 2) * (0.3 / 30), 1e-12);
  // A line that would fall below zero is held at the per-byte bound: no
  // less time per byte than the slowest per byte of the bigger classes.
  eta = estimate_eta(small, {one_leg("copy", 1, {{2, {10, 0.1, 2.0 * MiB}}, {3, {10, 50.0, 32.0 * MiB}}})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_DOUBLE_EQ(*eta.seconds, 50.0 * KiB / (32.0 * MiB));
}

TEST(Eta, NoEstimateWithoutAPaceOrBusyWorkers) {
  const std::vector<SizeClassTotals> totals{{ObjectState::pending, 0, 10, 10 * KiB}};
  EXPECT_FALSE(estimate_eta(totals, {}).seconds);
  EXPECT_FALSE(estimate_eta(totals, {one_leg("copy", 4, {})}).seconds);               // nothing measured
  EXPECT_FALSE(estimate_eta(totals, {one_leg("copy", 0, {{0, {5, 1.0, 1024}}})}).seconds);  // nobody busy
}

TEST(Eta, NothingLeftIsZero) {
  const std::vector<SizeClassTotals> totals{{ObjectState::verified, 0, 10, 10 * KiB},
                                            {ObjectState::failed, 0, 1, KiB}};
  const auto eta = estimate_eta(totals, {one_leg("copy", 0, {})});
  ASSERT_TRUE(eta.seconds);
  EXPECT_DOUBLE_EQ(*eta.seconds, 0.0);
}

}  // namespace
}  // namespace s5j::ops
