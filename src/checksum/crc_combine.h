// CRC combination for reflected 32-bit CRCs (CRC-32, CRC-32C) and 64-bit
// CRCs (CRC-64/NVME).
//
// Given crc(A), crc(B) and len(B), returns crc(A || B) without the data:
// parts hashed in parallel can yield the full-object CRC that S3's
// FULL_OBJECT checksum type expects. Pure functions, thread-safe.
#pragma once

#include <cstdint>

namespace s5j::checksum {

// `reflected_poly` is the bit-reversed generator (0xEDB88320 for CRC-32,
// 0x82F63B78 for CRC-32C). Both CRCs are final values (after the xor-out).
uint32_t crc32_combine_poly(uint32_t reflected_poly, uint32_t crc_a, uint32_t crc_b, uint64_t len_b);
// The same for a 64-bit CRC (0x9A6C9329AC4BC9B5 for CRC-64/NVME).
uint64_t crc64_combine_poly(uint64_t reflected_poly, uint64_t crc_a, uint64_t crc_b, uint64_t len_b);

}  // namespace s5j::checksum
