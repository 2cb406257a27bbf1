#include "transfer/absent_hosts.h"

#include <algorithm>
#include <string>
#include <vector>

namespace s5j::transfer {

std::chrono::milliseconds absent_host_period(std::chrono::milliseconds lease) {
  using std::chrono::milliseconds;
  return std::clamp(lease / 2, milliseconds(1000), milliseconds(15000));
}

AbsentHostSweep::AbsentHostSweep(RunContext& context, std::chrono::milliseconds period)
    : ctx_(context), period_(period) {}

Result<uint64_t> AbsentHostSweep::sweep_if_due() {
  if (!ctx_.ledger.cooperative()) return uint64_t{0};
  const auto steady_now = ctx_.clock.steady_now();
  if (swept_ && steady_now - last_ < period_) return uint64_t{0};
  swept_ = true;
  last_ = steady_now;
  auto holders = ctx_.ledger.job_lock_holders(ctx_.run.job());
  if (!holders) return std::unexpected(holders.error());
  const auto now = ctx_.clock.now();
  std::vector<std::string> present{ctx_.run.host()};
  for (const auto& h : *holders) {
    if (h.expires_at > now && std::find(present.begin(), present.end(), h.host) == present.end())
      present.push_back(h.host);
  }
  auto moved = ctx_.ledger.unstage_absent_hosts(ctx_.run.job(), present);
  if (!moved) return std::unexpected(moved.error());
  if (*moved > 0) ctx_.events.emit("absent_hosts_unstaged", {{"objects", *moved}, {"present_hosts", present}});
  return *moved;
}

}  // namespace s5j::transfer
