#include "checksum/crc32.h"

#include <isa-l/crc.h>

namespace s5j::checksum {

void Crc32::update(std::span<const unsigned char> data) {
  // crc32_gzip_refl inverts on entry and exit, so the previous final value
  // is the right seed for the next call (zlib's crc32() convention).
  if (!data.empty()) crc_ = crc32_gzip_refl(crc_, data.data(), data.size());
}

void Crc32::update(std::string_view data) {
  update(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

uint32_t crc32_of(std::span<const unsigned char> data) {
  Crc32 c;
  c.update(data);
  return c.value();
}

uint32_t crc32_of(std::string_view data) {
  Crc32 c;
  c.update(data);
  return c.value();
}

}  // namespace s5j::checksum
