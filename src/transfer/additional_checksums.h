// The additional checksum (x-amz-checksum-*) an upload to the destination
// carries, from the checksums s5j computed over the bytes it sends: the
// destination's `checksum_algorithm` picks CRC-32C (always computed in
// flight) or CRC-64/NVME (computed only when chosen). Pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "checksum/multi_hasher.h"
#include "s3/additional_checksum.h"

namespace s5j::transfer {

// What a MultiHasher must compute for `algorithm` besides MD5 and CRC-32C.
checksum::ChecksumSelection selection_for(s3::ChecksumAlgorithm algorithm);

// The checksum of `algorithm` from the values computed; empty when
// `algorithm` is none or its value was not computed.
s3::AdditionalChecksum additional_checksum(s3::ChecksumAlgorithm algorithm, std::optional<uint32_t> crc32c,
                                           std::optional<uint64_t> crc64nvme);
inline s3::AdditionalChecksum additional_checksum(s3::ChecksumAlgorithm algorithm, const checksum::Checksums& sums) {
  return additional_checksum(algorithm, sums.crc32c, sums.crc64nvme);
}

}  // namespace s5j::transfer
