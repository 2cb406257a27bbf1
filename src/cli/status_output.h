// What `s5j status` prints of an ops::StatusReport: one JSON object, or the
// text an operator reads (field names and lines documented in
// docs/operations.md, "s5j status"). Pure functions of the report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ops/status_report.h"

namespace s5j::cli {

nlohmann::json status_json(const ops::StatusReport& report);
std::string status_text(const ops::StatusReport& report);

}  // namespace s5j::cli
