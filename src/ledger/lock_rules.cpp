#include "ledger/lock_rules.h"

#include <algorithm>

#include "ledger/job_control.h"
#include "ledger/ledger_error.h"

namespace s5j::ledger {

Status check_lock_request(const LockRequest& request) {
  if (request.owner.empty()) {
    return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition, "a job lock needs an owner");
  }
  for (const auto& role : request.roles) {
    if (role.empty()) {
      return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition, "a lock role must not be empty");
    }
  }
  return {};
}

Status check_run_figures(std::string_view figures) {
  if (figures.size() > kMaxRunFigures) {
    return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition,
                        "run figures of " + std::to_string(figures.size()) + " bytes exceed the limit of " +
                            std::to_string(kMaxRunFigures) + "; publish fewer figures");
  }
  return {};
}

std::vector<std::string> lock_rows_of(const LockRequest& request) {
  return request.roles.empty() ? std::vector<std::string>{""} : request.roles;
}

bool lock_conflicts(const LockRequest& request, const LockHolder& held) {
  if (held.owner == request.owner) return false;
  const bool overlap = request.roles.empty() || held.role.empty() ||
                       std::find(request.roles.begin(), request.roles.end(), held.role) != request.roles.end();
  if (!overlap) return false;
  // Cooperating workers: shared locks never conflict with each other.
  return !(request.shared && held.shared);
}

}  // namespace s5j::ledger
