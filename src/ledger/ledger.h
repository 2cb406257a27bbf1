// Ledger: the durable record of every object through every stage of a job.
//
// The transfer engine talks only to this interface; backends (SQLite now,
// PostgreSQL later) live under src/ledger/<backend>/ and are chosen by
// open_ledger(). Every backend passes the conformance suite
// (tests/unit/ledger/ledger_conformance*.h, one group of tests per part).
//
// The interface comes in five parts, each with its contract in its header;
// a backend implements all five, and code that needs only one part takes
// only that part:
//   JobControl       (job_control.h)      jobs, run history, the job lock
//   ObjectCatalog    (object_catalog.h)   planning, reads, reopen/requeue,
//                                         totals and recent errors
//   ObjectClaims     (object_claims.h)    claims and leases
//   TransitionQueue  (transition_queue.h) transitions and multipart progress
//                                         with group commit, open uploads
//   ListingRanges    (listing_ranges.h)   source listings in progress: key
//                                         ranges as leased work items with
//                                         durable cursors
// A few methods (job_lock_holder, break_every_job_lock, release_all_leases)
// are written once on their part in terms of the others; backends do not
// implement them.
//
// Durability: a call that returns success has committed what it wrote so it
// survives power loss, except queue*(), which only buffer; flush() commits
// every operation queued (by any thread) before it was called, in one
// transaction, and its success means they are durable. Reads see committed
// state only (flush first to read your own queued writes).
//
// Concurrency: every method is thread-safe. Several Ledger instances (threads,
// processes, and for shared backends machines) may work on one store; claims
// with leases keep them from working on the same object, and every queued
// transition is a compare-and-set checked at flush time.
//
// Failure: methods return Result/Status; codes in ledger/ledger_error.h.
// Illegal transitions fail at queue time; transitions whose precondition no
// longer holds at flush time are returned in FlushReport::rejected.
#pragma once

#include <string>

#include "ledger/job_control.h"
#include "ledger/listing_ranges.h"
#include "ledger/object_catalog.h"
#include "ledger/object_claims.h"
#include "ledger/transition_queue.h"

namespace s5j::ledger {

class Ledger : public JobControl,
               public ObjectCatalog,
               public ObjectClaims,
               public TransitionQueue,
               public ListingRanges {
 public:
  ~Ledger() override = default;

  // Where the ledger lives (file path, URL without password), for messages.
  virtual std::string location() const = 0;

  // True when the store is shared by processes on several hosts (PostgreSQL):
  // runs of one job then cooperate (shared job locks, LockRequest::shared)
  // instead of excluding each other, and a starting run leaves other
  // workers' leases to expire rather than dropping them. False for SQLite:
  // one run per job (role) at a time.
  virtual bool cooperative() const { return false; }
};

}  // namespace s5j::ledger
