#include "fault/fault_counters.h"

#include <nlohmann/json.hpp>

namespace s5j::testing {

std::string FaultCounters::to_json() const {
  nlohmann::ordered_json faults = nlohmann::ordered_json::object();
  for (FaultKind kind : all_fault_kinds()) faults[std::string(fault_kind_name(kind))] = faulted(kind);
  nlohmann::ordered_json j = {
      {"connections_accepted", connections_accepted},
      {"requests_seen", requests_seen},
      {"requests_forwarded", requests_forwarded},
      {"requests_faulted", requests_faulted},
      {"faults", faults},
      {"throttled", throttled},
      {"faults_not_applicable", faults_not_applicable},
      {"upstream_failures", upstream_failures},
      {"down_windows", down_windows},
      {"bytes_to_upstream", bytes_to_upstream},
      {"bytes_to_client", bytes_to_client},
  };
  return j.dump();
}

}  // namespace s5j::testing
