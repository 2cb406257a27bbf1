#include "ledger/object_claims.h"

namespace s5j::ledger {

Result<uint64_t> ObjectClaims::release_all_leases(JobId job) {
  // Every state, not the job's mode's: the caller gives only the job id,
  // and a state the mode never uses simply holds no records.
  return release_leases_in(job, all_object_states());
}

}  // namespace s5j::ledger
