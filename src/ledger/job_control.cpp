#include "ledger/job_control.h"

#include <set>
#include <string>

namespace s5j::ledger {

Result<std::optional<LockHolder>> JobControl::job_lock_holder(JobId job) {
  auto all = job_lock_holders(job);
  if (!all) return std::unexpected(all.error());
  if (all->empty()) return std::optional<LockHolder>();
  return std::optional<LockHolder>(all->front());
}

Status JobControl::break_every_job_lock(JobId job) {
  auto holders = job_lock_holders(job);
  if (!holders) return std::unexpected(holders.error());
  // One owner may hold several roles (a relay holds stage and drain): its
  // locks go in one call.
  std::set<std::string> owners;
  for (const LockHolder& h : *holders) owners.insert(h.owner);
  for (const std::string& owner : owners) {
    if (auto st = break_job_lock(job, owner); !st) return st;
  }
  return {};
}

}  // namespace s5j::ledger
