#include "transfer/ledger_outage.h"

#include <algorithm>

#include "ledger/ledger_error.h"

namespace s5j::transfer {

bool is_ledger_outage(const Error& error) {
  return ledger::is_ledger_error(error) && error.kind == ErrorKind::retryable;
}

bool LedgerOutage::tolerate(const Error& error) {
  if (!is_ledger_outage(error)) return false;
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  if (!began_) {
    began_ = now;
    failures_ = 0;
    events_.emit("ledger_unavailable", {{"code", error.code}, {"error", error.message}, {"limit_ms", limit_.count()}});
  }
  ++failures_;
  return now - *began_ < limit_;
}

void LedgerOutage::ended() {
  std::lock_guard lock(mutex_);
  if (!began_) return;
  const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - *began_);
  began_.reset();
  failures_ = 0;
  events_.emit("ledger_available", {{"after_ms", lasted.count()}});
}

std::chrono::milliseconds LedgerOutage::backoff() const {
  std::lock_guard lock(mutex_);
  const unsigned doublings = std::min(failures_ > 0 ? failures_ - 1 : 0u, 5u);
  return std::min(std::chrono::milliseconds(250) * (1u << doublings), std::chrono::milliseconds(5000));
}

bool LedgerOutage::active() const {
  std::lock_guard lock(mutex_);
  return began_.has_value();
}

}  // namespace s5j::transfer
