// ByteBudget: a memory budget shared by every transfer of a run (as in
// aws-c-s3): each object or part buffer takes its size from the budget
// before it is allocated and gives it back when freed, so peak memory stays
// bounded whatever the object sizes and worker counts.
//
// Grants are strictly first come, first served: a large request at the head
// of the line is never overtaken by small ones, so it cannot starve, and
// parts of one object are granted in the order they were asked for (the
// in-order hashing of parts relies on that to be free of deadlock).
//
// Thread safety: all members are safe from many threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

namespace s5j::transfer {

class ByteBudget {
 public:
  explicit ByteBudget(uint64_t capacity) : capacity_(capacity) {}

  // Blocks until `bytes` are free (a request above the capacity waits for
  // the whole budget, so one huge part still runs alone). Returns false when
  // cancel() was called while waiting.
  bool acquire(uint64_t bytes);
  void release(uint64_t bytes);
  // Wakes every waiter with false; later acquires fail at once.
  void cancel();

  uint64_t capacity() const { return capacity_; }
  uint64_t in_use() const;
  // Requests waiting for their grant (for status and tests).
  uint64_t waiting() const;

 private:
  const uint64_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t in_use_ = 0;           // guarded by mutex_
  uint64_t next_ticket_ = 0;      // guarded by mutex_
  uint64_t serving_ticket_ = 0;   // guarded by mutex_
  bool cancelled_ = false;        // guarded by mutex_
};

// Holds bytes of a ByteBudget for its lifetime.
class BudgetLease {
 public:
  BudgetLease() = default;
  BudgetLease(ByteBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
  BudgetLease(BudgetLease&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.budget_ = nullptr; }
  BudgetLease& operator=(BudgetLease&& other) noexcept {
    if (this != &other) {
      reset();
      budget_ = other.budget_;
      bytes_ = other.bytes_;
      other.budget_ = nullptr;
    }
    return *this;
  }
  ~BudgetLease() { reset(); }
  void reset() {
    if (budget_ != nullptr) budget_->release(bytes_);
    budget_ = nullptr;
  }

 private:
  ByteBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace s5j::transfer
