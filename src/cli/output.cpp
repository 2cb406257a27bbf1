#include "cli/output.h"

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

Result<config::Config> load_config_for_command(const std::string& path) {
  auto config = config::load_config(path);
  if (!config) {
    report_failure(config.error(), log::Redactor());
    return config;
  }
  const auto redactor = redactor_for(*config);
  for (const auto& w : config->warnings) std::cerr << "s5j: warning: " << redactor.apply(w) << "\n";
  return config;
}

}  // namespace s5j::cli
