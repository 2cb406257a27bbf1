#include "transfer/copy_part_plan.h"

namespace s5j::transfer {
namespace {

using checksum::kMiB;

uint64_t parts_for(uint64_t size, uint64_t part_size) { return (size + part_size - 1) / part_size; }

// A layout of `part_size` that gives exactly `count` parts within the limits.
std::optional<checksum::PartPlan> layout(uint64_t size, uint64_t part_size, uint32_t count,
                                         const checksum::PartLimits& limits) {
  if (part_size == 0 || parts_for(size, part_size) != count) return std::nullopt;
  if (count > 1 && part_size < limits.min_part_size) return std::nullopt;
  if (part_size > limits.effective_max_part_size() || count > limits.max_parts) return std::nullopt;
  checksum::PartPlan plan;
  plan.part_size = part_size;
  plan.part_count = count;
  plan.last_part_size = size - part_size * (count - 1);
  return plan;
}

}  // namespace

Result<CopyPartPlan> plan_copy_parts(uint64_t object_size, uint32_t source_part_count,
                                     std::optional<uint64_t> learned_part_size, uint64_t preferred_part_size,
                                     const checksum::PartLimits& limits) {
  if (source_part_count > 0 && object_size > 0) {
    if (learned_part_size)
      if (auto plan = layout(object_size, *learned_part_size, source_part_count, limits))
        return CopyPartPlan{*plan, true, true};
    // Part sizes of common uploaders, most common first.
    static constexpr uint64_t kCommon[] = {8 * kMiB,  5 * kMiB,   16 * kMiB,  10 * kMiB,  15 * kMiB,
                                           32 * kMiB, 50 * kMiB,  64 * kMiB,  100 * kMiB, 128 * kMiB,
                                           256 * kMiB, 512 * kMiB, 1024 * kMiB};
    for (uint64_t size : kCommon)
      if (auto plan = layout(object_size, size, source_part_count, limits)) return CopyPartPlan{*plan, true, false};
    const uint64_t smallest_mib = (object_size + source_part_count * kMiB - 1) / (source_part_count * kMiB) * kMiB;
    if (auto plan = layout(object_size, smallest_mib, source_part_count, limits))
      return CopyPartPlan{*plan, true, false};
  }
  auto plan = checksum::plan_parts(object_size, preferred_part_size, limits);
  if (!plan) return std::unexpected(plan.error());
  return CopyPartPlan{*plan, false, false};
}

PutShape choose_put_shape(uint64_t object_size, uint64_t part_size, uint64_t multipart_threshold,
                          bool source_md5_known) {
  if (object_size > multipart_threshold) return PutShape::multipart;
  if (object_size <= part_size) return PutShape::single;
  return source_md5_known ? PutShape::streamed : PutShape::multipart;
}

}  // namespace s5j::transfer
