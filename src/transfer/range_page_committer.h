// RangePageCommitter: group commit of the pages the parallel listing lists.
// A listing worker hands each page over and goes on to ask for the next
// one; one thread commits every page handed over meanwhile in one ledger
// transaction (ListingRanges::commit_range_pages), so a commit's fsync is
// shared by the pages of all workers and overlaps their round trips. Each
// worker (a slot) may have at most `pages_per_slot` pages not yet committed:
// that bounds memory and the pages a crash makes the next run list again.
// What a commit learnt about a slot's range (done, a nearer end after a
// split) is what view() returns.
//
// Thread safety: begin_range, admit, submit, view and drain for one slot
// from that slot's worker; any slots at once; finish from the owner after
// the workers stopped. A failed commit fails every later admit/drain (the
// pages not committed are lost, as in a crash: their cursors did not move).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "ledger/listing_ranges.h"

namespace s5j::transfer {

class RangePageCommitter {
 public:
  // `on_commit` is called on the committer's thread after each page is
  // durable, in the order pages were committed, with no lock held.
  RangePageCommitter(ledger::ListingRanges& ranges, std::chrono::milliseconds lease, size_t slots,
                     size_t pages_per_slot, std::function<void(const ledger::RangePageCommit&)> on_commit);
  ~RangePageCommitter();  // finish()es when the owner did not
  RangePageCommitter(const RangePageCommitter&) = delete;
  RangePageCommitter& operator=(const RangePageCommitter&) = delete;

  struct RangeView {
    bool done = false;                   // a commit ended the range
    std::optional<std::string> through;  // its end as last known
  };

  // The slot starts listing a range that ends at `through`.
  void begin_range(size_t slot, std::optional<std::string> through);
  // Waits until the slot may hand over another page; false when a commit failed.
  bool admit(size_t slot);
  void submit(size_t slot, ledger::RangePage page);
  RangeView view(size_t slot);
  // Waits until every page of the slot is committed (or a commit failed).
  Status drain(size_t slot);
  // Commits what is left and stops the thread; the first failure if any.
  Status finish();

 private:
  struct Slot {
    size_t in_flight = 0;
    RangeView range;
  };
  struct Queued {
    size_t slot;
    ledger::RangePage page;
  };
  void run();

  ledger::ListingRanges& ranges_;
  const std::chrono::milliseconds lease_;
  const size_t pages_per_slot_;
  std::function<void(const ledger::RangePageCommit&)> on_commit_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Slot> slots_;     // guarded by mutex_
  std::vector<Queued> queue_;   // guarded by mutex_
  bool finishing_ = false;      // guarded by mutex_
  std::optional<Error> failed_; // guarded by mutex_
  std::thread thread_;          // last: started when the rest is ready
};

}  // namespace s5j::transfer
