#include "cli/output.h"

#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/exit_codes.h"

namespace s5j::cli {

log::Redactor redactor_for(const config::Config& c) {
  return log::Redactor({c.source.secret_access_key, c.source.session_token, c.destination.secret_access_key,
                        c.destination.session_token});
}

int report_failure(const Error& e, const log::Redactor& redactor) {
  std::cerr << "s5j: " << redactor.apply(e.message.empty() ? e.describe() : e.message) << "\n";
  return exit_code_for(e);
}

Error on_side(std::string_view side, Error error) {
  error.message = std::string(side) + ": " + (error.message.empty() ? error.describe() : error.message);
  return error;
}

Result<config::Config> load_config_for_command(const std::string& path, bool warnings) {
  auto config = config::load_config(path);
  if (!config) {
    report_failure(config.error(), log::Redactor());
    return config;
  }
  const auto redactor = redactor_for(*config);
  if (warnings)
    for (const auto& w : config->warnings) std::cerr << "s5j: warning: " << redactor.apply(w) << "\n";
  return config;
}

}  // namespace s5j::cli
