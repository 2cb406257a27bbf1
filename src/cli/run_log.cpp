#include "cli/run_log.h"

#include "log/log_files.h"

namespace s5j::cli {

log::EventLogOptions event_log_options(const config::LogConfig& log, std::string_view command,
                                       std::string_view job) {
  log::EventLogOptions o;
  // The loader accepts only the five names.
  o.level = log::parse_level(log.level).value_or(log::Level::info);
  o.object_events_every = log.object_events_every;
  o.max_size = log.max_size;
  o.keep = log.keep;
  o.series = std::string(command) + "-" + std::string(job);
  return o;
}

Result<std::unique_ptr<log::EventLog>> open_run_log(const config::Config& config, std::string_view command,
                                                    const log::Redactor& redactor) {
  log::EventLogOptions options = event_log_options(config.log, command, config.job);
  const std::string name = log::run_log_name(options.series);
  return log::EventLog::open(config.log.dir, name, redactor, std::move(options));
}

}  // namespace s5j::cli
