#include "transfer/staged_part_stream.h"

#include <algorithm>
#include <span>
#include <string>

#include "staging/staging_error.h"

namespace s5j::transfer {

Result<size_t> StagedPartStream::read(char* out, size_t capacity) {
  const uint64_t left = length_ - handed_out_;
  if (left == 0 || capacity == 0) return size_t{0};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(left, capacity));
  auto got = reader_.read_at(offset_ + handed_out_, std::span<unsigned char>(reinterpret_cast<unsigned char*>(out), want));
  if (!got) {
    Error e = got.error();
    e.kind = ErrorKind::permanent;
    return std::unexpected(e);
  }
  if (*got == 0)
    return make_error(ErrorKind::permanent, staging::kStagedCorrupt,
                      reader_.path() + " ends at " + std::to_string(offset_ + handed_out_) + ", expected " +
                          std::to_string(offset_ + length_) + " bytes");
  crc_.update(std::string_view(out, *got));
  hash_handed_out(std::string_view(out, *got));
  handed_out_ += *got;
  return *got;
}

}  // namespace s5j::transfer
