// The event log of one command's run: "<command>-<job>-<stamp>-<pid>.jsonl"
// in log.dir, written as log.level, log.object_events, log.max_size and
// log.keep say (log/event_log.h).
#pragma once

#include <memory>
#include <string_view>

#include "base/error.h"
#include "config/config.h"
#include "log/event_log.h"

namespace s5j::cli {

log::EventLogOptions event_log_options(const config::LogConfig& log, std::string_view command,
                                       std::string_view job);

Result<std::unique_ptr<log::EventLog>> open_run_log(const config::Config& config, std::string_view command,
                                                    const log::Redactor& redactor);

}  // namespace s5j::cli
