#include "support/in_memory_s3_checksums.h"

#include <array>
#include <cstdint>

#include "base/strings.h"

namespace s5j::testing {
namespace {

constexpr std::string_view kCrc32cHeader = "x-amz-checksum-crc32c";
constexpr std::string_view kCrc64Header = "x-amz-checksum-crc64nvme";

// Reflected CRCs, one bit at a time, init and xor-out all ones.
template <typename Word>
Word reflected_crc(std::string_view data, Word poly) {
  Word crc = ~Word{0};
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
  }
  return ~crc;
}

template <typename Word>
std::string big_endian_base64(Word value) {
  std::array<unsigned char, sizeof(Word)> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * (bytes.size() - 1 - i)));
  return base64_encode(bytes);
}

}  // namespace

std::optional<std::string> additional_checksum_of(std::string_view header, std::string_view data) {
  if (iequals(header, kCrc32cHeader)) return big_endian_base64(reflected_crc<uint32_t>(data, 0x82F63B78u));
  if (iequals(header, kCrc64Header)) return big_endian_base64(reflected_crc<uint64_t>(data, 0x9A6C9329AC4BC9B5ull));
  return std::nullopt;
}

std::string checksum_header_of_algorithm(std::string_view algorithm) {
  if (iequals(algorithm, "CRC32C")) return std::string(kCrc32cHeader);
  if (iequals(algorithm, "CRC64NVME")) return std::string(kCrc64Header);
  return {};
}

std::string mismatched_checksum(const http::Headers& headers, std::string_view data) {
  for (const auto& [name, value] : headers) {
    auto want = additional_checksum_of(name, data);
    if (want && trim(value) != *want) return name;
  }
  return {};
}

http::Headers checksums_sent(const http::Headers& headers, std::string_view data) {
  http::Headers out;
  for (const auto& [name, value] : headers)
    if (auto computed = additional_checksum_of(name, data)) out.push_back({to_lower(name), *computed});
  return out;
}

}  // namespace s5j::testing
