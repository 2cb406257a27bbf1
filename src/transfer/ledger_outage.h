// LedgerOutage: how a run rides out a ledger it cannot reach for a while
// (a PostgreSQL ledger restarted, or the network to it down), instead of
// failing every object or stopping at the first error.
//
// Every part of the run that talks to the ledger in the background (the
// group commit's flusher, the claim dispatchers, the lease renewer) reports
// each failure to tolerate(): a retryable ledger error (LedgerBusy,
// LedgerUnavailable) is tolerated until the outage has lasted `limit`; the
// caller then pauses for backoff() and tries again: queued transitions stay
// queued (GroupCommit keeps them), no new work is claimed, and the S3 work
// in flight goes on. Any other error, or one past the limit, is not
// tolerated: the caller makes it the run's fatal error. Each success
// reports ended().
//
// An outage is logged once when it begins (`ledger_unavailable`: code,
// error) and once when it ends (`ledger_available`: after_ms). Leases
// cannot be renewed meanwhile; if it lasts past the lease, other workers
// may take this one's objects over when the ledger is back, and the
// fencing epoch rejects this worker's late transitions (ledger/transition.h):
// its work on them is wasted, never written over its successor's.
//
// Thread safety: every method from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "base/clock.h"
#include "base/error.h"
#include "log/event_log.h"

namespace s5j::transfer {

class LedgerOutage {
 public:
  LedgerOutage(std::chrono::milliseconds limit, log::EventLog& events, const Clock& clock)
      : limit_(limit), events_(events), clock_(clock) {}

  // True: pause for backoff() and try again. False: the error is fatal.
  bool tolerate(const Error& error);
  // A ledger call succeeded: the outage, if any, is over.
  void ended();
  // How long to pause before the next attempt: 250 ms doubling per failure
  // of this outage, at most 5 s.
  std::chrono::milliseconds backoff() const;
  bool active() const;

 private:
  const std::chrono::milliseconds limit_;
  log::EventLog& events_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> began_;  // guarded by mutex_
  unsigned failures_ = 0;                                       // guarded by mutex_
};

// A ledger error that a later attempt may not meet: the store is busy or
// out of reach for now.
bool is_ledger_outage(const Error& error);

}  // namespace s5j::transfer
