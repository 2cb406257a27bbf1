// Part-size planning: fixed cases plus properties checked over many sizes.
#include "checksum/part_plan.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace s5j::checksum {
namespace {

// Every property a valid plan must have, for any inputs that planned.
void expect_valid(uint64_t size, uint64_t preferred, const PartLimits& lim, const PartPlan& p) {
  SCOPED_TRACE("size=" + std::to_string(size) + " preferred=" + std::to_string(preferred));
  const uint64_t max_part = lim.effective_max_part_size();
  ASSERT_GE(p.part_count, 1u);
  EXPECT_LE(p.part_count, lim.max_parts);
  EXPECT_GE(p.part_size, lim.min_part_size);
  EXPECT_LE(p.part_size, max_part);
  // The parts cover the object exactly.
  EXPECT_EQ((uint64_t{p.part_count} - 1) * p.part_size + p.last_part_size, size);
  EXPECT_LE(p.last_part_size, p.part_size);
  if (size > 0) {
    EXPECT_GE(p.last_part_size, 1u);
  }
  // No wasted part: one fewer would not hold the object.
  if (p.part_count > 1) {
    EXPECT_GT(size, (uint64_t{p.part_count} - 1) * p.part_size);
  }
  // The preferred size is kept whenever it fits within max_parts.
  const uint64_t clamped = std::clamp(preferred == 0 ? lim.min_part_size : preferred, lim.min_part_size, max_part);
  const uint64_t parts_at_clamped = size == 0 ? 1 : (size + clamped - 1) / clamped;
  if (parts_at_clamped <= lim.max_parts) {
    EXPECT_EQ(p.part_size, clamped);
  } else {
    // Grown: as few bytes more than needed as the MiB rounding allows.
    EXPECT_EQ(p.part_count, (size + p.part_size - 1) / p.part_size);
    const uint64_t needed = (size + lim.max_parts - 1) / lim.max_parts;
    EXPECT_GE(p.part_size, needed);
    EXPECT_LT(p.part_size, needed + kMiB);
  }
  // part_range agrees with the plan.
  const PartRange first = part_range(p, 1), last = part_range(p, p.part_count);
  EXPECT_EQ(first.offset, 0u);
  EXPECT_EQ(last.offset + last.length, size);
  EXPECT_EQ(last.length, p.last_part_size);
}

TEST(PartPlan, EmptyObjectIsOneEmptyPart) {
  const PartPlan p = *plan_parts(0, 8 * kMiB);
  EXPECT_EQ(p.part_count, 1u);
  EXPECT_EQ(p.last_part_size, 0u);
  EXPECT_EQ(p.part_size, 8 * kMiB);
}

TEST(PartPlan, OneByte) {
  const PartPlan p = *plan_parts(1, 8 * kMiB);
  EXPECT_EQ(p.part_count, 1u);
  EXPECT_EQ(p.last_part_size, 1u);
}

TEST(PartPlan, ExactMultiplesHaveFullLastPart) {
  const PartPlan p = *plan_parts(10 * 8 * kMiB, 8 * kMiB);
  EXPECT_EQ(p.part_count, 10u);
  EXPECT_EQ(p.last_part_size, 8 * kMiB);
  const PartPlan q = *plan_parts(10 * 8 * kMiB + 1, 8 * kMiB);
  EXPECT_EQ(q.part_count, 11u);
  EXPECT_EQ(q.last_part_size, 1u);
}

TEST(PartPlan, PreferredBelowMinimumIsRaisedAndAboveMaximumLowered) {
  EXPECT_EQ(plan_parts(100 * kMiB, 1 * kMiB)->part_size, 5 * kMiB);
  EXPECT_EQ(plan_parts(100 * kMiB, 0)->part_size, 5 * kMiB);
  EXPECT_EQ(plan_parts(100 * kGiB, 6 * kGiB)->part_size, 5 * kGiB);
}

TEST(PartPlan, FiveTebibytesNeedsLargerParts) {
  const PartPlan p = *plan_parts(5 * kTiB, 8 * kMiB);
  EXPECT_EQ(p.part_size, 525 * kMiB);  // ceil(5 TiB / 10000) = 524.3 MiB -> 525 MiB
  EXPECT_EQ(p.part_count, 9'987u);     // 5 TiB / 525 MiB = 9986.4
  expect_valid(5 * kTiB, 8 * kMiB, {}, p);
}

TEST(PartPlan, LargestObjectAwsAllows) {
  // 48.8 TiB is exactly 10,000 parts of 5 GiB.
  const uint64_t max_object = 10'000 * 5 * kGiB;
  const PartPlan p = *plan_parts(max_object, 64 * kMiB);
  EXPECT_EQ(p.part_count, 10'000u);
  EXPECT_EQ(p.part_size, 5 * kGiB);
  EXPECT_EQ(p.last_part_size, 5 * kGiB);
  auto too_big = plan_parts(max_object + 1, 64 * kMiB);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code, "ObjectTooLarge");
  EXPECT_FALSE(too_big.error().retryable());
}

TEST(PartPlan, SnowballQuirkCapsParts) {
  PartLimits snow;
  snow.quirk_max_part_size = 512'000'000;  // "512 MB"
  const PartPlan p = *plan_parts(4 * kTiB, 1 * kGiB, snow);
  EXPECT_LE(p.part_size, 512'000'000u);
  expect_valid(4 * kTiB, 1 * kGiB, snow, p);
  // 5 TiB does not fit in 10,000 parts of 512 MB.
  auto e = plan_parts(5 * kTiB, 1 * kGiB, snow);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, "ObjectTooLarge");
  // When the MiB-rounded size would exceed the quirk, the exact size is used.
  const uint64_t at_limit = uint64_t{10'000} * 512'000'000;
  const PartPlan q = *plan_parts(at_limit, 8 * kMiB, snow);
  EXPECT_EQ(q.part_size, 512'000'000u);
  EXPECT_EQ(q.part_count, 10'000u);
}

TEST(PartPlan, ContradictoryLimitsAreRejected) {
  PartLimits bad;
  bad.quirk_max_part_size = 1 * kMiB;  // below the 5 MiB minimum
  EXPECT_EQ(plan_parts(10, 0, bad).error().code, "InvalidPartLimits");
  PartLimits none;
  none.max_parts = 0;
  EXPECT_EQ(plan_parts(10, 0, none).error().code, "InvalidPartLimits");
}

TEST(PartPlanProperty, BoundaryAndRandomSizes) {
  std::vector<uint64_t> sizes{0, 1, 2, 5 * kMiB - 1, 5 * kMiB, 5 * kMiB + 1, 8 * kMiB, 16 * kMiB, 80 * kMiB,
                              80 * kMiB + 1, 10'000 * 8 * kMiB - 1, 10'000 * 8 * kMiB, 10'000 * 8 * kMiB + 1,
                              1 * kTiB, 5 * kTiB - 1, 5 * kTiB, 5 * kTiB + 1, 10'000 * 5 * kGiB - 1,
                              10'000 * 5 * kGiB};
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    // Log-uniform over 1 B .. 48.8 TiB so every magnitude is covered.
    const double exp = std::uniform_real_distribution<double>(0, 45.47)(rng);
    sizes.push_back(static_cast<uint64_t>(std::exp2(exp)));
  }
  const std::vector<uint64_t> preferred{0, 1, 5 * kMiB, 8 * kMiB, 15 * kMiB + 7, 64 * kMiB, 1 * kGiB, 5 * kGiB,
                                        6 * kGiB};
  PartLimits snow;
  snow.quirk_max_part_size = 512 * kMiB;
  PartLimits small;
  small.max_parts = 3;
  for (const PartLimits& lim : {PartLimits{}, snow, small}) {
    const uint64_t capacity = uint64_t{lim.max_parts} * lim.effective_max_part_size();
    for (uint64_t size : sizes) {
      for (uint64_t pref : preferred) {
        auto p = plan_parts(size, pref, lim);
        if (size > capacity) {
          ASSERT_FALSE(p.has_value()) << size;
          EXPECT_EQ(p.error().code, "ObjectTooLarge");
        } else {
          ASSERT_TRUE(p.has_value()) << size << " " << p.error().describe();
          expect_valid(size, pref, lim, *p);
        }
      }
    }
  }
}

}  // namespace
}  // namespace s5j::checksum
