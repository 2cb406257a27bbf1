// RunFigures: what a run publishes of itself every kFiguresPeriod (5 s), on its
// lock rows (Ledger::set_run_figures), for `status` and the ETA in any
// process and on any host of a fleet: its legs' pace (LegPace) and the
// leases it holds. Stored as compact JSON; the ledger keeps it opaque.
//
// The text is versioned ("v"); a reader that finds another version, or
// text it cannot parse (written by another s5j release), treats the
// holder as publishing nothing rather than failing `status`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transfer/leg_pace.h"

namespace s5j::transfer {

struct RunFigures {
  uint64_t leases_held = 0;  // objects this run has claimed and not let go
  std::vector<LegPaceFigures> legs;
  bool operator==(const RunFigures&) const = default;
};

std::string encode_run_figures(const RunFigures& figures);
std::optional<RunFigures> parse_run_figures(std::string_view text);

}  // namespace s5j::transfer
