#include "log/event_levels.h"

#include <algorithm>
#include <array>
#include <utility>

namespace s5j::log {
namespace {

using namespace std::string_view_literals;

// Something went wrong that an operator must look at: an object or a
// cleanup failed for good.
constexpr std::array kErrors{
    "object_failed"sv,      "scan_failed"sv,          "orphan_sweep_failed"sv,    "upload_abort_failed"sv,
    "staged_remove_failed"sv, "verify_error"sv,       "staging_volume_refused"sv, "leases_lost"sv,
};

// Handled on its own but worth knowing: retries, refusals, corruption
// found and repaired, sources that changed, endpoints set aside.
constexpr std::array kWarnings{
    "object_retried"sv,        "request_retried"sv,     "put_retried"sv,
    "endpoint_down"sv,         "transition_rejected"sv, "staged_corrupt"sv,
    "staged_missing"sv,        "verify_mismatch"sv,     "changed_at_source"sv,
    "object_changed"sv,        "unseen_at_source"sv,    "destination_unsorted"sv,
    "server_copy_refused"sv,   "stale_lock_broken"sv,   "staging_lock_taken_over"sv,
    "staging_volume_not_mounted"sv, "object_refetch"sv, "object_reread"sv,
    "upload_gone"sv,           "parts_rechecked"sv,     "activity_not_published"sv,
    "upload_retried_after_refusal"sv, "feature_fallback"sv, "ledger_unavailable"sv,
    "claims_dropped"sv,        "figures_not_published"sv,
};

// Each part of a multipart object: many per object.
constexpr std::array kDebug{"part_done"sv, "part_downloaded"sv, "batch_done"sv};

constexpr std::array kRoutineObjectEvents{
    "object_started"sv, "upload_started"sv,   "object_copied"sv,     "object_downloaded"sv, "object_staged"sv,
    "object_uploaded"sv, "object_verified"sv, "destination_matched"sv, "part_done"sv,       "part_downloaded"sv,
};

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view event) {
  return std::find(names.begin(), names.end(), event) != names.end();
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  static constexpr std::pair<std::string_view, Level> kNames[] = {
      {"trace", Level::trace}, {"debug", Level::debug}, {"info", Level::info},
      {"warn", Level::warn},   {"error", Level::error}};
  for (const auto& [name, level] : kNames)
    if (name == text) return level;
  return std::nullopt;
}

Level level_of(std::string_view event) {
  if (contains(kErrors, event)) return Level::error;
  // A side refusing the run: "source_refused", "destination_still_refused".
  if (contains(kWarnings, event) || event.ends_with("_refused")) return Level::warn;
  if (contains(kDebug, event)) return Level::debug;
  return Level::info;
}

bool is_routine_object_event(std::string_view event) { return contains(kRoutineObjectEvents, event); }

}  // namespace s5j::log
