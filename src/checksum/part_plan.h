// Part-size planning for multipart uploads. Pure functions, thread-safe.
//
// S3 rules: parts are numbered 1..10,000; every part but the last is at
// least 5 MiB; no part exceeds 5 GiB. Some servers are stricter (the
// Snowball adapter accepts parts of at most 512 MB), hence the optional
// quirk limit. The plan keeps the caller's preferred part size when the
// object fits in max_parts parts of that size; otherwise it grows the part
// size just enough (rounded up to a whole MiB where the limit allows).
#pragma once

#include <cstdint>
#include <optional>

#include "base/error.h"

namespace s5j::checksum {

inline constexpr char kInvalidPartLimits[] = "InvalidPartLimits";

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;
inline constexpr uint64_t kTiB = 1024 * kGiB;

struct PartLimits {
  uint64_t min_part_size = 5 * kMiB;  // every part but the last
  uint64_t max_part_size = 5 * kGiB;
  uint32_t max_parts = 10'000;
  // A server-specific ceiling below max_part_size (Snowball: 512 MB).
  std::optional<uint64_t> quirk_max_part_size;

  // min(max_part_size, quirk_max_part_size).
  uint64_t effective_max_part_size() const;
};

struct PartPlan {
  uint64_t part_size = 0;       // size of every part but the last
  uint32_t part_count = 0;      // >= 1
  uint64_t last_part_size = 0;  // 1..part_size; 0 only for an empty object
};

// Plans `object_size` bytes. preferred_part_size 0 means "the minimum".
// An empty object gets one empty part (callers normally use a single PUT).
// Fails (permanent) with "InvalidPartLimits" when the limits contradict
// each other (min > max, max_parts 0), or with "ObjectTooLarge" when
// object_size exceeds max_parts * effective_max_part_size().
Result<PartPlan> plan_parts(uint64_t object_size, uint64_t preferred_part_size, const PartLimits& limits = {});

struct PartRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Byte range of part `part_number` (1-based, 1..plan.part_count).
// Precondition: the part number is in range (checked with assert).
PartRange part_range(const PartPlan& plan, uint32_t part_number);

}  // namespace s5j::checksum
