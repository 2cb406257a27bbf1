// Carrying out a plan (setup_plan.h): each step as --dry-run printed it.
// Commands run as child processes with their argv (no shell), standard
// input /dev/null, standard output and error the operator's; a command that
// fails stops everything after it.
//
// Thread safety: free functions; run from one thread (they wait for their
// child processes).
#pragma once

#include <functional>
#include <vector>

#include "base/error.h"
#include "volumes/setup_plan.h"

namespace s5j::volumes {

// StagingError naming the step and what failed (exit status, errno).
Status run_step(const Step& step);

// Every step of every plan in order; `before` is called before each one
// (for a progress line). Stops at the first failure: its error says which
// step failed and that the steps after it were not run.
Status run_plans(const std::vector<VolumePlan>& plans,
                 const std::function<void(const VolumePlan&, const Step&)>& before = {});

}  // namespace s5j::volumes
