// Crc64Nvme: streaming CRC-64/NVME, as S3 uses it for
// x-amz-checksum-crc64nvme (the checksum AWS stores for every new object).
// Reflected polynomial 0x9A6C9329AC4BC9B5 (normal 0xAD93D23594C93659), init
// and xor-out all ones. Check value of "123456789" is 0xAE8B14860A799888.
//
// Ours, not ISA-L's: ISA-L 2.30 (Debian 12) has the ECMA, ISO and Jones
// CRC-64 polynomials only, and no other Debian package offers this one.
// A slicing-by-8 table walk: about 1-2 GB/s a core, well above what one
// transfer stream carries.
//
// Cannot fail. Thread safety: one object per thread; value type (copyable,
// so a stream's CRC so far can be snapshotted).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace s5j::checksum {

class Crc64Nvme {
 public:
  void update(std::span<const unsigned char> data);
  void update(std::string_view data);
  // CRC of everything fed so far; does not reset.
  uint64_t value() const { return ~state_; }
  void reset() { state_ = ~uint64_t{0}; }

 private:
  uint64_t state_ = ~uint64_t{0};  // the register: init ~0, xor-out applied by value()
};

uint64_t crc64nvme_of(std::span<const unsigned char> data);
uint64_t crc64nvme_of(std::string_view data);
// crc64nvme(A || B) from crc64nvme(A), crc64nvme(B) and the length of B:
// the FULL_OBJECT checksum of a multipart upload from its parts' CRCs.
uint64_t crc64nvme_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b);

}  // namespace s5j::checksum
