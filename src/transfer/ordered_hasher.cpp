#include "transfer/ordered_hasher.h"

namespace s5j::transfer {

bool OrderedHasher::hash_in_turn(uint32_t part_number, std::string_view data) {
  std::unique_lock lock(mutex_);
  turn_.wait(lock, [&] { return abandoned_ || next_part_ == part_number; });
  if (abandoned_) return false;
  md5_.update(data);
  ++next_part_;
  turn_.notify_all();
  return true;
}

void OrderedHasher::abandon() {
  std::lock_guard lock(mutex_);
  abandoned_ = true;
  turn_.notify_all();
}

std::optional<checksum::Md5Digest> OrderedHasher::finish(uint32_t parts) {
  std::lock_guard lock(mutex_);
  if (abandoned_ || next_part_ != parts + 1) return std::nullopt;
  return md5_.finish();
}

}  // namespace s5j::transfer
