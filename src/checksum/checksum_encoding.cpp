#include "checksum/checksum_encoding.h"

#include <algorithm>
#include <array>

#include "base/strings.h"

namespace s5j::checksum {
namespace {

std::optional<Md5Digest> to_digest(const std::optional<std::vector<unsigned char>>& bytes) {
  if (!bytes || bytes->size() != 16) return std::nullopt;
  Md5Digest d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

}  // namespace

std::string md5_base64(const Md5Digest& digest) { return base64_encode(digest); }
std::string md5_hex(const Md5Digest& digest) { return to_hex(digest); }

std::string crc32_base64(uint32_t crc) {
  const std::array<unsigned char, 4> be{static_cast<unsigned char>(crc >> 24), static_cast<unsigned char>(crc >> 16),
                                        static_cast<unsigned char>(crc >> 8), static_cast<unsigned char>(crc)};
  return base64_encode(be);
}

std::string crc64_base64(uint64_t crc) {
  std::array<unsigned char, 8> be{};
  for (size_t i = 0; i < be.size(); ++i) be[i] = static_cast<unsigned char>(crc >> (8 * (7 - i)));
  return base64_encode(be);
}

std::optional<uint32_t> parse_crc32_base64(std::string_view text) {
  const auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != 4) return std::nullopt;
  uint32_t v = 0;
  for (unsigned char b : *bytes) v = (v << 8) | b;
  return v;
}

std::optional<uint64_t> parse_crc64_base64(std::string_view text) {
  const auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (unsigned char b : *bytes) v = (v << 8) | b;
  return v;
}

std::optional<Md5Digest> parse_md5_hex(std::string_view text) { return to_digest(from_hex(text)); }

}  // namespace s5j::checksum
