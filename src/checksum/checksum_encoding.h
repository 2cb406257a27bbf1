// Wire forms of checksums: the base64 values of Content-MD5 and the
// x-amz-checksum-* headers, and hex for ETags. Pure functions, thread-safe.
//
// S3 sends a CRC as the base64 of its big-endian bytes (CRC-32C of
// "123456789" = 0xE3069283 -> "4waSgw=="); Content-MD5 is the base64 of the
// 16 digest bytes; an ETag carries the digest in lower-case hex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checksum/md5.h"

namespace s5j::checksum {

std::string md5_base64(const Md5Digest& digest);  // Content-MD5 value
std::string md5_hex(const Md5Digest& digest);      // ETag form, lower case
std::string crc32_base64(uint32_t crc);            // x-amz-checksum-crc32 / -crc32c
std::string crc64_base64(uint64_t crc);            // x-amz-checksum-crc64nvme
// The inverses: nullopt when the text is not the base64 of 4 (8) bytes.
std::optional<uint32_t> parse_crc32_base64(std::string_view text);
std::optional<uint64_t> parse_crc64_base64(std::string_view text);

// The inverse of md5_hex; nullopt when the text is not 32 hex digits.
// Either case.
std::optional<Md5Digest> parse_md5_hex(std::string_view text);

}  // namespace s5j::checksum
