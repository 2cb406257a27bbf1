// Part layout for copying one object with multipart upload. Pure.
//
// When the source object was itself uploaded in N parts (ETag "...-N"),
// copying it with the same part size makes the destination ETag equal to
// the source ETag, which proves the copy byte for byte without reading the
// destination back. The source part size is learned from HEAD
// ?partNumber=1 where the server supports it (AWS, MinIO), else inferred:
// the first of the part sizes common tools use (aws cli 8 MiB, rclone 5 MiB
// and up, s5cmd 50 MiB, ...) that yields exactly N parts, else the smallest
// whole-MiB size that does.
#pragma once

#include <cstdint>
#include <optional>

#include "base/error.h"
#include "checksum/part_plan.h"

namespace s5j::transfer {

struct CopyPartPlan {
  checksum::PartPlan parts;
  // True when the layout is meant to reproduce the source's parts (learned
  // or inferred); the ETags are then expected to match.
  bool mirrors_source = false;
  bool learned = false;  // the source's part size came from the server, not a guess
};

// `source_part_count`: N of a multipart source ETag, 0 otherwise.
// `learned_part_size`: part 1's length from HEAD ?partNumber=1, if the
// server answered with less than the whole object.
Result<CopyPartPlan> plan_copy_parts(uint64_t object_size, uint32_t source_part_count,
                                     std::optional<uint64_t> learned_part_size, uint64_t preferred_part_size,
                                     const checksum::PartLimits& limits = {});

// How one object goes to the destination; the sync's copier and the relay's
// upload leg decide alike:
//   single    — up to the part size (and the threshold): one PUT from a
//               buffer hashed here;
//   streamed  — larger, up to the multipart threshold, when the source's
//               MD5 is known (a plain ETag, or the MD5 recorded when staged):
//               one PUT streamed with that MD5 as Content-MD5;
//   multipart — everything else (its part MD5s are the proof).
enum class PutShape { single, streamed, multipart };
PutShape choose_put_shape(uint64_t object_size, uint64_t part_size, uint64_t multipart_threshold,
                          bool source_md5_known);

}  // namespace s5j::transfer
