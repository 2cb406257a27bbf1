#include "checksum/crc64nvme.h"

#include <array>

#include "checksum/crc_combine.h"

namespace s5j::checksum {
namespace {

constexpr uint64_t kReflectedPoly = 0x9A6C9329AC4BC9B5ull;

// table[0] is the classic byte table; table[k][b] is the CRC of byte b
// followed by k zero bytes, so eight input bytes are folded per step.
using SliceTables = std::array<std::array<uint64_t, 256>, 8>;

constexpr SliceTables make_tables() {
  SliceTables t{};
  for (uint64_t b = 0; b < 256; ++b) {
    uint64_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    t[0][b] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
  return t;
}

constexpr SliceTables kTables = make_tables();

uint64_t load_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

void Crc64Nvme::update(std::span<const unsigned char> data) {
  uint64_t crc = state_;
  const unsigned char* p = data.data();
  size_t n = data.size();
  while (n >= 8) {
    crc ^= load_le64(p);
    crc = kTables[7][crc & 0xFF] ^ kTables[6][(crc >> 8) & 0xFF] ^ kTables[5][(crc >> 16) & 0xFF] ^
          kTables[4][(crc >> 24) & 0xFF] ^ kTables[3][(crc >> 32) & 0xFF] ^ kTables[2][(crc >> 40) & 0xFF] ^
          kTables[1][(crc >> 48) & 0xFF] ^ kTables[0][crc >> 56];
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n, ++p) crc = (crc >> 8) ^ kTables[0][(crc ^ *p) & 0xFF];
  state_ = crc;
}

void Crc64Nvme::update(std::string_view data) {
  update(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

uint64_t crc64nvme_of(std::span<const unsigned char> data) {
  Crc64Nvme c;
  c.update(data);
  return c.value();
}

uint64_t crc64nvme_of(std::string_view data) {
  Crc64Nvme c;
  c.update(data);
  return c.value();
}

uint64_t crc64nvme_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b) {
  return crc64_combine_poly(kReflectedPoly, crc_a, crc_b, len_b);
}

}  // namespace s5j::checksum
