// The ETA of a job, the same figure in `status`, its page, the metrics and
// the progress line: what is left (the ledger's totals by size class) times
// how long an object of each size takes here (the live runs' published
// pace, transfer/leg_pace.h), over the workers that move objects at once.
//
// For each leg the live runs work in (copy; or stage and drain):
//   time = sum over size classes c of  remaining_c × seconds_per_object_c
//          ----------------------------------------------------------------
//                        busy workers (summed over the runs)
// where remaining_c counts the leg's objects still to move (copy: pending
// and copying; stage: pending and staging; drain: everything not yet
// verified, failed or vanished) and seconds_per_object_c is the
// samples-weighted mean over the runs. The relay's two legs run at once,
// so the job's ETA is the slower leg's. A failed object is not counted:
// no run moves it again until a run requeues it.
//
// A class with objects left but no measured pace yet (nothing of that size
// moved so far) is inferred from the measured classes next to it, within
// what two rules allow (a bigger object takes no less time, and no more
// time per byte, than a smaller one): the line through the two nearest
// measured classes, held within those bounds; with one measured class, the
// bound that takes longer. Such classes are named in
// `inferred_classes`, so the figure says it is partly a guess.
//
// No estimate (nullopt) when no live run publishes a pace, or no leg with
// work left has busy workers and a measured class; the caller may then
// fall back to bytes left over the recent byte rate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/object_state.h"
#include "ledger/records.h"
#include "transfer/run_figures.h"

namespace s5j::ops {

struct EtaEstimate {
  std::optional<double> seconds;
  std::string leg;                            // the leg whose time it is (the slowest)
  std::vector<std::string> inferred_classes;  // size-class names whose pace was inferred
};

EtaEstimate estimate_eta(const std::vector<ledger::SizeClassTotals>& totals,
                         const std::vector<transfer::RunFigures>& runs);

}  // namespace s5j::ops
