#include "transfer/run_context.h"

namespace s5j::transfer {

void RunTally::add_failure(const std::string& key, const std::string& error) {
  ++failed_objects;
  std::lock_guard lock(mutex_);
  if (failures_.size() < 20) failures_.push_back((key.size() <= 200 ? key : key.substr(0, 200) + "...") + ": " + error);
}

std::vector<std::string> RunTally::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

Result<uint64_t> RunContext::count_in(std::initializer_list<ledger::ObjectState> states) const {
  auto totals = ledger.totals(run.job());
  if (!totals) return std::unexpected(totals.error());
  uint64_t n = 0;
  for (const auto& t : *totals)
    for (auto s : states)
      if (t.state == s) n += t.objects;
  return n;
}

}  // namespace s5j::transfer
