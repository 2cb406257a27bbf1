// The job lock's conflict rule (LockRequest in records.h), written once for
// every backend: which held lock keeps a request from being granted; and
// what a holder may publish on its lock. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"

namespace s5j::ledger {

// LedgerIllegalTransition for a request with no owner or an empty role.
Status check_lock_request(const LockRequest& request);

// LedgerIllegalTransition (permanent) for run figures longer than
// kMaxRunFigures (job_control.h), naming both lengths.
Status check_run_figures(std::string_view figures);

// The rows a request takes: one per role, the role "" for the whole job.
std::vector<std::string> lock_rows_of(const LockRequest& request);

// True when `held` (a lock of another owner) stands in the way of
// `request`: their roles overlap (either covers the whole job, or they
// share a role) and they are not both shared. Expiry is the caller's
// business: an expired conflicting lock is broken, a live one refuses.
bool lock_conflicts(const LockRequest& request, const LockHolder& held);

}  // namespace s5j::ledger
