// CRC combination for reflected 32-bit CRCs (CRC-32, CRC-32C).
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

}  // namespace s5j::checksum
