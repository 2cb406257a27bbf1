// Crc32: streaming CRC-32 (IEEE 802.3, zlib/gzip form) over ISA-L, as S3
// uses it for x-amz-checksum-crc32. Check value of "123456789" is 0xCBF43926.
//
// Cannot fail. Thread safety: one object per thread; value type.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace s5j::checksum {

class Crc32 {
 public:
  void update(std::span<const unsigned char> data);
  void update(std::string_view data);
  // CRC of everything fed so far; does not reset.
  uint32_t value() const { return crc_; }
  void reset() { crc_ = 0; }

 private:
  uint32_t crc_ = 0;  // crc32_gzip_refl applies init and xor-out itself
};

uint32_t crc32_of(std::span<const unsigned char> data);
uint32_t crc32_of(std::string_view data);

}  // namespace s5j::checksum
