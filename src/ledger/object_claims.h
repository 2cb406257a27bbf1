// ObjectClaims: the ledger's part that hands records to workers under
// leases, so that workers (threads, processes, machines) sharing one store
// never work on the same object. Lease times come from the backend's clock.
// One of the four parts of ledger::Ledger; the durability, concurrency and
// failure rules of ledger/ledger.h hold for every method here.
//
// A backend implements the pure virtual methods; release_all_leases() is
// written once here in terms of them.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"

namespace s5j::ledger {

class ObjectClaims {
 public:
  virtual ~ObjectClaims() = default;

  // Atomically leases up to request.max claimable records to request.owner:
  // records resting in request.from whose lease is absent or expired, and
  // active records of takeover_states() whose lease expired (their worker
  // died; the new owner resumes or restarts them). Returns them as leased.
  virtual Result<std::vector<ObjectRecord>> claim(const ClaimRequest& request) = 0;
  // Extends the leases `owner` still holds; returns the ids it no longer
  // holds (taken over or released), whose work the caller must stop.
  virtual Result<std::vector<ObjectId>> renew(std::span<const ObjectId> ids, std::string_view owner,
                                              std::chrono::milliseconds lease) = 0;
  // Drops `owner`'s leases on `ids` (state unchanged); others' are untouched.
  virtual Status release(std::span<const ObjectId> ids, std::string_view owner) = 0;
  // Drops every lease of the job's records resting or active in `states`;
  // returns how many. For a restart that holds one role's lock (a stage run
  // releases pending/staging, a drain run staged/uploading) while another
  // role's run may be working on the other states.
  virtual Result<uint64_t> release_leases_in(JobId job, std::span<const ObjectState> states) = 0;

  // ---- Written once for every backend ----
  // Drops every lease of the job (release_leases_in() with every state);
  // returns how many. Only for a process that holds the job lock and knows
  // no other worker runs (restart after crash).
  Result<uint64_t> release_all_leases(JobId job);
};

}  // namespace s5j::ledger
