#include "checksum/crc_combine.h"

namespace s5j::checksum {
namespace {

// Polynomial arithmetic in GF(2) modulo the CRC generator, reflected bit
// order (the top bit is x^0), following zlib's crc32_combine: appending len_b
// zero bytes to A multiplies crc(A) by x^(8*len_b); the init/xor-out terms
// cancel, so crc(A||B) = crc(A)*x^(8*len_b) xor crc(B).
template <typename Word>
Word multiply_mod(Word poly, Word a, Word b) {
  constexpr unsigned kTop = sizeof(Word) * 8 - 1;
  Word m = Word{1} << kTop;
  Word p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
  }
  return p;
}

// x^(n * 2^k) mod poly.
template <typename Word>
Word x_to_n_times_2k(Word poly, uint64_t n, unsigned k) {
  constexpr unsigned kTop = sizeof(Word) * 8 - 1;
  Word power = Word{1} << (kTop - 1);  // x^1
  for (unsigned i = 0; i < k; ++i) power = multiply_mod(poly, power, power);
  Word p = Word{1} << kTop;  // x^0
  while (n != 0) {
    if (n & 1) p = multiply_mod(poly, power, p);
    n >>= 1;
    power = multiply_mod(poly, power, power);
  }
  return p;
}

}  // namespace

uint32_t crc32_combine_poly(uint32_t reflected_poly, uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
  if (len_b == 0) return crc_a;
  return multiply_mod(reflected_poly, x_to_n_times_2k(reflected_poly, len_b, 3), crc_a) ^ crc_b;
}

uint64_t crc64_combine_poly(uint64_t reflected_poly, uint64_t crc_a, uint64_t crc_b, uint64_t len_b) {
  if (len_b == 0) return crc_a;
  return multiply_mod(reflected_poly, x_to_n_times_2k(reflected_poly, len_b, 3), crc_a) ^ crc_b;
}

}  // namespace s5j::checksum
