// ObjectCatalog: the ledger's part for a job's object records as a whole:
// planning (merging source listings), reading records, putting records back
// in line (reopen, requeue) and the figures of `s5j status`. One of the four
// parts of ledger::Ledger; the durability, concurrency and failure rules of
// ledger/ledger.h hold for every method here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"

namespace s5j::ledger {

class ObjectCatalog {
 public:
  virtual ~ObjectCatalog() = default;

  // ---- Planning ----
  // Merges one page of a source listing: new keys are inserted pending;
  // keys whose size or ETag differ go back to pending with their checksums,
  // staged copy, error and attempts cleared (their active uploads become
  // abandoned); vanished keys listed again go back to pending; everything
  // else (a verified unchanged object above all) is left alone. A listed
  // object the planner found at the destination (ListedObject::
  // at_destination) is recorded verified where it would be left pending.
  // One transaction; durable on return.
  virtual Result<UpsertStats> upsert_listed(JobId job, std::span<const ListedObject> objects) = 0;

  // ---- Reads ----
  // Records in key order (bytewise), strictly after query.after_key.
  virtual Result<std::vector<ObjectRecord>> list_objects(JobId job, const ListQuery& query) = 0;
  virtual Result<std::optional<ObjectRecord>> find_object(JobId job, std::string_view key) = 0;
  virtual Result<std::optional<ObjectRecord>> get_object(ObjectId id) = 0;

  // ---- Back in line ----
  // Puts verified records of the job back to `pending` (their destination
  // copy is missing or differs), each only while it is still exactly as the
  // request saw it (see ReopenRequest): a record that a concurrent run
  // re-listed or copied again meanwhile is left alone, so no job lock is
  // needed. Checksums, destination ETag and staged copy are cleared as for
  // a changed source object, attempts are kept, `reason` becomes
  // last_error; an active upload of the object becomes abandoned. One
  // transaction; durable on return. Returns the ids reopened.
  virtual Result<std::vector<ObjectId>> reopen_verified(JobId job, std::span<const ReopenRequest> requests) = 0;
  // Puts every failed record of the job back in line for a new attempt
  // (staged jobs: to `staged` when a staged copy is recorded, which counts
  // the upload's retry as an attempt; else `pending`); returns how many.
  // Durable on return.
  virtual Result<uint64_t> requeue_failed(JobId job) = 0;
  // Sends back to `pending` every record of the job whose staged copy is on
  // a host named and not in `present_hosts` (StagedCopy::host; an unknown
  // host is left alone): staged, failed with that copy, and uploading once
  // its lease expired. Their staged copy is cleared (the file is out of
  // reach: it is fetched from the source again) and their fencing epoch
  // moves, so the absent host's queued transitions no longer apply. One
  // transaction; durable on return; returns how many.
  virtual Result<uint64_t> unstage_absent_hosts(JobId job, std::span<const std::string> present_hosts) = 0;

  // ---- Status ----
  // One entry per state of the job's mode (zeros included), pipeline order.
  virtual Result<std::vector<StateTotals>> totals(JobId job) = 0;
  // The same totals split by size class (ledger/size_class.h): one entry
  // per (state, class) that holds at least one object, in pipeline order
  // of states, then by class. Kept with every write as totals() is: a few
  // rows whatever the object count.
  virtual Result<std::vector<SizeClassTotals>> totals_by_size_class(JobId job) = 0;
  // Most recent errors first.
  virtual Result<std::vector<ErrorEntry>> recent_errors(JobId job, size_t limit) = 0;
};

// Calls `fn` for every record of the job in key order, a page at a time
// (for `ledger export`). Stops at the first error from the ledger or `fn`.
Status for_each_object(ObjectCatalog& catalog, JobId job, const std::function<Status(const ObjectRecord&)>& fn,
                       size_t page_size = 1000);

}  // namespace s5j::ledger
