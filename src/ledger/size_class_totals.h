// What both backends do with the rows of their per-(state, size class)
// totals table: put them in the order ObjectCatalog::totals_by_size_class
// promises, and sum them into ObjectCatalog::totals.
#pragma once

#include <vector>

#include "ledger/records.h"

namespace s5j::ledger {

// The rows that hold at least one object, in pipeline order of the states
// of `mode` (states outside it, which no write makes, after them), then
// by class.
std::vector<SizeClassTotals> ordered_size_class_totals(JobMode mode, std::vector<SizeClassTotals> rows);

// One entry per state of `mode` (zeros included), pipeline order: the sums
// of `rows` over the classes.
std::vector<StateTotals> sum_over_size_classes(JobMode mode, const std::vector<SizeClassTotals>& rows);

}  // namespace s5j::ledger
