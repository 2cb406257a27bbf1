#include "checksum/part_plan.h"

#include <algorithm>
#include <cassert>
#include <string>

namespace s5j::checksum {

uint64_t PartLimits::effective_max_part_size() const {
  return quirk_max_part_size ? std::min(max_part_size, *quirk_max_part_size) : max_part_size;
}

Result<PartPlan> plan_parts(uint64_t object_size, uint64_t preferred_part_size, const PartLimits& limits) {
  const uint64_t max_part = limits.effective_max_part_size();
  if (limits.max_parts == 0 || max_part == 0 || limits.min_part_size > max_part) {
    return make_error(ErrorKind::permanent, kInvalidPartLimits,
                      "part limits contradict each other (min " + std::to_string(limits.min_part_size) + ", max " +
                          std::to_string(max_part) + ", parts " + std::to_string(limits.max_parts) + ")");
  }
  // Divide before multiplying: max_parts * max_part may not fit otherwise.
  if (object_size / limits.max_parts > max_part ||
      (object_size / limits.max_parts == max_part && object_size % limits.max_parts != 0)) {
    return make_error(ErrorKind::permanent, "ObjectTooLarge",
                      "object of " + std::to_string(object_size) + " bytes needs more than " +
                          std::to_string(limits.max_parts) + " parts of at most " + std::to_string(max_part) +
                          " bytes");
  }

  uint64_t part = std::clamp(preferred_part_size == 0 ? limits.min_part_size : preferred_part_size,
                             limits.min_part_size, max_part);
  auto parts_for = [&](uint64_t size) { return object_size == 0 ? uint64_t{1} : (object_size + size - 1) / size; };
  if (parts_for(part) > limits.max_parts) {
    // Smallest size that fits; a whole MiB keeps parts aligned to the
    // ranges readers commonly ask for, when the ceiling allows it.
    const uint64_t needed = (object_size + limits.max_parts - 1) / limits.max_parts;
    const uint64_t rounded = (needed + kMiB - 1) / kMiB * kMiB;
    part = std::max(rounded <= max_part ? rounded : needed, limits.min_part_size);
  }

  PartPlan plan;
  plan.part_size = part;
  plan.part_count = static_cast<uint32_t>(parts_for(part));
  plan.last_part_size = object_size - (uint64_t{plan.part_count} - 1) * part;
  return plan;
}

PartRange part_range(const PartPlan& plan, uint32_t part_number) {
  assert(part_number >= 1 && part_number <= plan.part_count);
  PartRange r;
  r.offset = uint64_t{part_number - 1} * plan.part_size;
  r.length = part_number == plan.part_count ? plan.last_part_size : plan.part_size;
  return r;
}

}  // namespace s5j::checksum
