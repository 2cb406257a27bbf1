#include "ledger/size_class_totals.h"

#include <algorithm>
#include <span>

#include "ledger/object_state.h"

namespace s5j::ledger {
namespace {

size_t pipeline_position(std::span<const ObjectState> states, ObjectState s) {
  const auto it = std::find(states.begin(), states.end(), s);
  if (it != states.end()) return static_cast<size_t>(it - states.begin());
  return states.size() + static_cast<size_t>(s);
}

}  // namespace

std::vector<SizeClassTotals> ordered_size_class_totals(JobMode mode, std::vector<SizeClassTotals> rows) {
  std::erase_if(rows, [](const SizeClassTotals& t) { return t.objects == 0; });
  const auto states = states_of(mode);
  std::sort(rows.begin(), rows.end(), [&](const SizeClassTotals& a, const SizeClassTotals& b) {
    const size_t pa = pipeline_position(states, a.state);
    const size_t pb = pipeline_position(states, b.state);
    if (pa != pb) return pa < pb;
    return a.size_class < b.size_class;
  });
  return rows;
}

std::vector<StateTotals> sum_over_size_classes(JobMode mode, const std::vector<SizeClassTotals>& rows) {
  std::vector<StateTotals> out;
  for (ObjectState s : states_of(mode)) out.push_back(StateTotals{s, 0, 0});
  for (const SizeClassTotals& r : rows) {
    for (StateTotals& t : out) {
      if (t.state != r.state) continue;
      t.objects += r.objects;
      t.bytes += r.bytes;
    }
  }
  return out;
}

}  // namespace s5j::ledger
