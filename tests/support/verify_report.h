// `s5j verify --json` from an integration test: run it, parse the report,
// and check its counts in one call (the sync and the relay tests ask the
// same questions of it).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace s5j::testing {

// The exit code and the parsed report (an empty object, and a test
// failure, when the output is not JSON).
std::pair<int, nlohmann::json> run_verify(const std::string& config, bool deep = false);

// A JSON array of strings (e.g. report["samples"]["missing"]).
std::vector<std::string> json_strings(const nlohmann::json& array);

// The counts a report must show; those left unset are not checked.
struct VerifyCounts {
  std::optional<int> checked, ok, missing, different, unproven, reopened, not_verified;
};
void expect_verify_counts(const nlohmann::json& report, const VerifyCounts& want);

}  // namespace s5j::testing
