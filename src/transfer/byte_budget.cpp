#include "transfer/byte_budget.h"

#include <algorithm>

namespace s5j::transfer {

bool ByteBudget::acquire(uint64_t bytes) {
  std::unique_lock lock(mutex_);
  if (cancelled_) return false;
  const uint64_t ticket = next_ticket_++;
  const uint64_t want = std::min(bytes, capacity_);
  changed_.wait(lock, [&] { return cancelled_ || (serving_ticket_ == ticket && in_use_ + want <= capacity_); });
  if (cancelled_) {
    // Keep the line moving for nobody: every later ticket fails too.
    return false;
  }
  in_use_ += want;
  ++serving_ticket_;
  changed_.notify_all();
  return true;
}

void ByteBudget::release(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  in_use_ -= std::min(std::min(bytes, capacity_), in_use_);
  changed_.notify_all();
}

void ByteBudget::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  changed_.notify_all();
}

uint64_t ByteBudget::waiting() const {
  std::lock_guard lock(mutex_);
  return next_ticket_ - serving_ticket_;
}

uint64_t ByteBudget::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

}  // namespace s5j::transfer
