// Levels of the event log's events, and which events are the routine
// record of one object (started, copied, verified, each part done): the
// events that make up nearly all of a log's bytes, which `log.object_events`
// thins out. An event's level follows from its name alone (one table,
// event_levels.cpp), so a reader of the log can tell it the same way
// (docs/operations.md lists them).
#pragma once

#include <optional>
#include <string_view>

namespace s5j::log {

enum class Level { trace, debug, info, warn, error };

std::optional<Level> parse_level(std::string_view text);  // "trace" ... "error"
Level level_of(std::string_view event);
bool is_routine_object_event(std::string_view event);

}  // namespace s5j::log
