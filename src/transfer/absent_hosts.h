// AbsentHostSweep: with cooperating relays on several hosts (a cooperative
// ledger), each host uploads only the files on its own volumes. When a host
// is gone — none of its runs of the job has renewed its lock within the
// lease (power lost, network cut, killed) — what it had staged can never
// be uploaded by anyone else: the sweep sends those records back to
// pending (Ledger::unstage_absent_hosts), and whichever stage leg is alive
// fetches them again from the source. A host that comes back finds its
// files stale and cleans them at its next start (clean_staging).
//
// A host counts as present while any run of the job on it (stage, drain or
// relay) holds an unexpired lock; this host always does.
//
// Thread safety: one sweep per leg, called from its claiming thread.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/error.h"
#include "transfer/run_context.h"

namespace s5j::transfer {

// How often a leg sweeps: half the lease (a host is absent one lease after
// its last renewal), within 1 to 15 seconds.
std::chrono::milliseconds absent_host_period(std::chrono::milliseconds lease);

class AbsentHostSweep {
 public:
  AbsentHostSweep(RunContext& context, std::chrono::milliseconds period);

  // On a cooperative ledger, at most once per period: the number of
  // records sent back (`absent_hosts_unstaged` logged when any). 0 when not
  // due, or when the ledger is not shared.
  Result<uint64_t> sweep_if_due();

  std::chrono::milliseconds period() const { return period_; }

 private:
  RunContext& ctx_;
  const std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point last_;
  bool swept_ = false;
};

}  // namespace s5j::transfer
