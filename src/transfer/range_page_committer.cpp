#include "transfer/range_page_committer.h"

#include <algorithm>

namespace s5j::transfer {

RangePageCommitter::RangePageCommitter(ledger::ListingRanges& ranges, std::chrono::milliseconds lease,
                                       size_t slots, size_t pages_per_slot,
                                       std::function<void(const ledger::RangePageCommit&)> on_commit)
    : ranges_(ranges),
      lease_(lease),
      pages_per_slot_(std::max<size_t>(1, pages_per_slot)),
      on_commit_(std::move(on_commit)),
      slots_(slots),
      thread_([this] { run(); }) {}

RangePageCommitter::~RangePageCommitter() { (void)finish(); }

void RangePageCommitter::begin_range(size_t slot, std::optional<std::string> through) {
  std::lock_guard lock(mutex_);
  slots_[slot].range = RangeView{.done = false, .through = std::move(through)};
}

bool RangePageCommitter::admit(size_t slot) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failed_ || slots_[slot].in_flight < pages_per_slot_; });
  return !failed_;
}

void RangePageCommitter::submit(size_t slot, ledger::RangePage page) {
  std::lock_guard lock(mutex_);
  ++slots_[slot].in_flight;
  queue_.push_back({slot, std::move(page)});
  changed_.notify_all();
}

RangePageCommitter::RangeView RangePageCommitter::view(size_t slot) {
  std::lock_guard lock(mutex_);
  return slots_[slot].range;
}

Status RangePageCommitter::drain(size_t slot) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failed_ || slots_[slot].in_flight == 0; });
  if (failed_) return std::unexpected(*failed_);
  return {};
}

Status RangePageCommitter::finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (failed_) return std::unexpected(*failed_);
  return {};
}

void RangePageCommitter::run() {
  std::vector<Queued> batch;
  std::vector<ledger::RangePage> pages;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || finishing_ || failed_; });
      if (failed_ || queue_.empty()) return;  // finishing with nothing left, or failed
      batch.swap(queue_);
    }
    pages.clear();
    for (auto& q : batch) pages.push_back(std::move(q.page));
    auto committed = ranges_.commit_range_pages(pages, lease_);
    if (committed)
      for (const auto& c : *committed)
        if (on_commit_) on_commit_(c);
    std::lock_guard lock(mutex_);
    if (!committed) {
      failed_ = committed.error();
    } else {
      for (size_t i = 0; i < batch.size(); ++i) {
        Slot& slot = slots_[batch[i].slot];
        --slot.in_flight;
        const ledger::ListingRange& r = (*committed)[i].range;
        slot.range.through = r.through;
        slot.range.done = slot.range.done || r.done;
      }
    }
    batch.clear();
    changed_.notify_all();
  }
}

}  // namespace s5j::transfer
