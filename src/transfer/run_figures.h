// RunFigures: what a run publishes of itself every kFiguresPeriod (5 s), on its
// lock rows (Ledger::set_run_figures), for `status` and the ETA in any
// process and on any host of a fleet: its legs' pace (LegPace), the leases
// it holds, and each endpoint of its sides (requests, failures, whether it
// is in use or set aside: s3/endpoint_pool.h). Stored as compact JSON; the
// ledger keeps it opaque.
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

#include "s3/endpoint_pool.h"
#include "transfer/leg_pace.h"

namespace s5j::transfer {

// One endpoint of one side, as this run's client sees it.
struct EndpointFigures {
  std::string side;  // "source" / "destination"
  std::string url;
  uint64_t requests = 0;  // since the run started
  uint64_t failures = 0;  // unreachable, 5xx, timed out
  bool in_use = true;     // false: set aside (failing), probed again later
  bool operator==(const EndpointFigures&) const = default;
};

struct RunFigures {
  uint64_t leases_held = 0;  // objects this run has claimed and not let go
  std::vector<LegPaceFigures> legs;
  std::vector<EndpointFigures> endpoints;  // empty from an s5j that published none
  bool operator==(const RunFigures&) const = default;
};

// Every endpoint of `pool`, as its side's figures.
std::vector<EndpointFigures> endpoint_figures_of(const std::string& side, const s3::EndpointPool& pool);

std::string encode_run_figures(const RunFigures& figures);
std::optional<RunFigures> parse_run_figures(std::string_view text);

}  // namespace s5j::transfer
