// Crc32c: streaming CRC-32C (Castagnoli, iSCSI) over ISA-L, as S3 uses it
// for x-amz-checksum-crc32c. Check value of "123456789" is 0xE3069283.
//
// Cannot fail. Thread safety: one object per thread; value type (copyable,
// so a stream's CRC so far can be snapshotted).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace s5j::checksum {

class Crc32c {
 public:
  void update(std::span<const unsigned char> data);
  void update(std::string_view data);
  // CRC of everything fed so far; does not reset.
  uint32_t value() const { return ~state_; }
  void reset() { state_ = 0xFFFFFFFFu; }

 private:
  uint32_t state_ = 0xFFFFFFFFu;  // ISA-L's raw register: init ~0, no xor-out
};

uint32_t crc32c_of(std::span<const unsigned char> data);
uint32_t crc32c_of(std::string_view data);
// crc32c(A || B) from crc32c(A), crc32c(B) and the length of B.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

}  // namespace s5j::checksum
