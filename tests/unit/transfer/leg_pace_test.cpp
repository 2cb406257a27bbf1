// LegPace and RunFigures: the pace a run publishes for the ETA.
#include "transfer/leg_pace.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "transfer/run_figures.h"

namespace s5j::transfer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LegPace, MeasuresSecondsPerObjectPerSizeClassAndTheWorkersBusy) {
  testing::FakeClock clock;
  LegPace pace("copy", clock);
  // Two workers for 10 s: one moves five 4 KiB objects of 2 s each, the
  // other one 100 MiB object of 10 s.
  pace.started();
  pace.started();
  for (int i = 0; i < 5; ++i) {
    clock.advance(milliseconds(2000));
    pace.finished(4096, seconds(2), true);
    if (i < 4) pace.started();
  }
  pace.finished(100 << 20, seconds(10), true);
  const auto f = pace.snapshot();
  EXPECT_EQ(f.leg, "copy");
  EXPECT_DOUBLE_EQ(f.busy_workers, 2.0);
  EXPECT_DOUBLE_EQ(f.objects_per_second, 0.6);
  EXPECT_DOUBLE_EQ(f.bytes_per_second, (5 * 4096.0 + (100 << 20)) / 10);
  EXPECT_EQ(f.classes[0].samples, 5u);
  EXPECT_DOUBLE_EQ(f.classes[0].seconds_per_object, 2.0);
  EXPECT_DOUBLE_EQ(f.classes[0].mean_size, 4096.0);
  EXPECT_EQ(f.classes[3].samples, 1u);
  EXPECT_DOUBLE_EQ(f.classes[3].seconds_per_object, 10.0);
  EXPECT_EQ(f.classes[1].samples, 0u);
}

TEST(LegPace, FailedTransfersOccupyWorkersButSetNoPace) {
  testing::FakeClock clock;
  LegPace pace("drain", clock);
  pace.started();
  clock.advance(milliseconds(4000));
  pace.finished(1 << 20, seconds(4), false);
  clock.advance(milliseconds(4000));
  const auto f = pace.snapshot();
  EXPECT_DOUBLE_EQ(f.busy_workers, 0.5);
  EXPECT_DOUBLE_EQ(f.objects_per_second, 0.0);
  for (const auto& c : f.classes) EXPECT_EQ(c.samples, 0u);
}

TEST(LegPace, KeepsTheLastSamplesOfAClassAndItsPaceWhileTheClassIsNotSeen) {
  testing::FakeClock clock;
  LegPace pace("copy", clock);
  for (size_t i = 0; i < kPaceSamples; ++i) {
    pace.started();
    pace.finished(1000, seconds(9), true);  // old and slow
  }
  for (size_t i = 0; i < kPaceSamples; ++i) {
    pace.started();
    pace.finished(1000, seconds(1), true);  // recent and fast: all that is kept
  }
  clock.advance(milliseconds(600'000));  // ten minutes of nothing
  auto f = pace.snapshot();
  EXPECT_EQ(f.classes[0].samples, kPaceSamples);
  EXPECT_NEAR(f.classes[0].seconds_per_object, 1.0, 1e-9);
  // The rates cover the window only: a minute later, nothing moved in it.
  clock.advance(milliseconds(61'000));
  f = pace.snapshot();
  EXPECT_DOUBLE_EQ(f.objects_per_second, 0.0);
  EXPECT_NEAR(f.classes[0].seconds_per_object, 1.0, 1e-9);
}

TEST(LegPace, RatesCoverTheLastMinuteOfSnapshots) {
  testing::FakeClock clock;
  LegPace pace("copy", clock);
  // 100 objects in the first 30 s, then none for 90 s in 10 s snapshots.
  for (int i = 0; i < 100; ++i) {
    pace.started();
    pace.finished(10, milliseconds(300), true);
  }
  clock.advance(milliseconds(30'000));
  EXPECT_NEAR(pace.snapshot().objects_per_second, 100.0 / 30, 1e-9);
  for (int i = 0; i < 9; ++i) {
    clock.advance(milliseconds(10'000));
    (void)pace.snapshot();
  }
  EXPECT_DOUBLE_EQ(pace.snapshot().objects_per_second, 0.0);
}

TEST(RunFigures, RoundTripsThroughItsText) {
  RunFigures f;
  f.leases_held = 42;
  LegPaceFigures leg;
  leg.leg = "drain";
  leg.busy_workers = 12.5;
  leg.objects_per_second = 300.25;
  leg.bytes_per_second = 1.5e9;
  leg.classes[0] = {256, 0.125, 4096};
  leg.classes[4] = {3, 31.5, 1.0e9};
  f.legs = {leg, LegPaceFigures{.leg = "stage"}};
  f.endpoints = {{"source", "http://10.0.0.1:8080", 1200, 0, true}, {"source", "http://10.0.0.2:8080", 7, 7, false}};
  const auto parsed = parse_run_figures(encode_run_figures(f));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, f);
}

// The first releases of version 1 published no endpoints.
TEST(RunFigures, FiguresWithoutEndpointsReadAsNone) {
  const auto parsed = parse_run_figures(R"({"v":1,"leases":3,"legs":[]})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->leases_held, 3u);
  EXPECT_TRUE(parsed->endpoints.empty());
  EXPECT_FALSE(parse_run_figures(R"({"v":1,"leases":3,"legs":[],"endpoints":[["source"]]})"));
}

TEST(RunFigures, EndpointsOfAPoolAreItsCounts) {
  s3::EndpointPool pool({*s3::parse_endpoint("http://10.0.0.1:8080"), *s3::parse_endpoint("http://10.0.0.2:8080")},
                        SystemClock::instance());
  const size_t first = pool.acquire();
  pool.release(first, s3::EndpointPool::Outcome::unreachable);  // set aside at once
  const auto figures = endpoint_figures_of("destination", pool);
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_EQ(figures[first].side, "destination");
  EXPECT_EQ(figures[first].url, pool.endpoint(first).url);
  EXPECT_EQ(figures[first].requests, 1u);
  EXPECT_EQ(figures[first].failures, 1u);
  EXPECT_FALSE(figures[first].in_use);
  EXPECT_TRUE(figures[1 - first].in_use);
  EXPECT_EQ(figures[1 - first].requests, 0u);
}

TEST(RunFigures, TextItCannotReadIsNoFiguresNotAnError) {
  EXPECT_FALSE(parse_run_figures(""));
  EXPECT_FALSE(parse_run_figures("not json"));
  EXPECT_FALSE(parse_run_figures(R"({"v":2,"leases":1,"legs":[]})"));  // a later release's
  EXPECT_FALSE(parse_run_figures(R"({"v":"1","leases":1,"legs":[]})"));
  EXPECT_FALSE(parse_run_figures(R"({"leases":1,"legs":[]})"));
  EXPECT_FALSE(parse_run_figures(R"({"v":1,"leases":"many","legs":[]})"));
  EXPECT_FALSE(parse_run_figures(R"({"v":1,"leases":1,"legs":[{"leg":"copy","busy":1,"ops":1,"bps":1,"classes":[]}]})"));
}

}  // namespace
}  // namespace s5j::transfer
