// FaultCounters: what the fault proxy has seen and done, as a plain
// snapshot (FaultProxy::counters()) and as JSON (the CLI's --stats file).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "fault/fault_plan.h"

namespace s5j::testing {

struct FaultCounters {
  uint64_t connections_accepted = 0;
  uint64_t requests_seen = 0;       // request heads read from clients
  uint64_t requests_forwarded = 0;  // request heads sent to the upstream
  uint64_t requests_faulted = 0;    // faults applied, throttling included
  std::array<uint64_t, kFaultKindCount> faulted_by_kind{};  // indexed by FaultKind
  uint64_t throttled = 0;              // 503 SlowDown answers of a ThrottleWindow
  uint64_t faults_not_applicable = 0;  // chosen, but nothing to break (e.g. no body to cut)
  uint64_t upstream_failures = 0;      // upstream refused, broke off or sent garbage
  uint64_t down_windows = 0;           // times the listener was closed
  uint64_t bytes_to_upstream = 0;      // every byte written upstream, heads included
  uint64_t bytes_to_client = 0;        // every byte written to clients, heads included

  uint64_t faulted(FaultKind kind) const { return faulted_by_kind[static_cast<size_t>(kind)]; }

  // {"connections_accepted":..,"requests_seen":..,..,"faults":{"reset_before":0,..}}
  std::string to_json() const;
};

}  // namespace s5j::testing
