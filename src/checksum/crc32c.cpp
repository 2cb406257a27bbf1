#include "checksum/crc32c.h"

#include <isa-l/crc.h>

#include <algorithm>

#include "checksum/crc_combine.h"

namespace s5j::checksum {
namespace {
// crc32_iscsi takes an int length: feed at most 1 GiB per call.
constexpr size_t kMaxChunk = size_t{1} << 30;
}  // namespace

void Crc32c::update(std::span<const unsigned char> data) {
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kMaxChunk);
    // ISA-L neither inverts on entry nor on exit: state_ carries the raw
    // register between calls and value() applies the final inversion.
    // The buffer is not written; the API is merely missing its const.
    state_ = crc32_iscsi(const_cast<unsigned char*>(data.data()), static_cast<int>(n), state_);
    data = data.subspan(n);
  }
}

void Crc32c::update(std::string_view data) {
  update(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

uint32_t crc32c_of(std::span<const unsigned char> data) {
  Crc32c c;
  c.update(data);
  return c.value();
}

uint32_t crc32c_of(std::string_view data) {
  Crc32c c;
  c.update(data);
  return c.value();
}

uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
  return crc32_combine_poly(0x82F63B78u, crc_a, crc_b, len_b);
}

}  // namespace s5j::checksum
