#include "cli/staging_mounts.h"

#include <sys/stat.h>

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/job_context.h"
#include "staging/volume_mount.h"

namespace s5j::cli {

std::vector<std::string> staging_mount_problems(const config::Config& config) {
  std::vector<std::string> out;
  for (const auto& path : staging_volume_paths(config)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // missing: Stager::open names it with its fix
    if (auto m = staging::examine_volume_mount(path); !m.ok()) out.push_back(m.problem);
  }
  return out;
}

int refuse_unmounted_volumes(const config::Config& config, const std::vector<std::string>& problems,
                             const log::Redactor& redactor, log::EventLog& events) {
  if (problems.empty() || !config.staging.require_mounts) return kOk;
  events.emit("staging_volume_refused", {{"problem", problems.front()}});
  std::cerr << "s5j: refused (staging.require_mounts: true): " << redactor.apply(problems.front()) << "\n";
  return kStagingError;
}

void warn_unmounted_volumes(const std::vector<std::string>& problems, const log::Redactor& redactor,
                            log::EventLog& events, bool print) {
  for (const auto& p : problems) {
    events.emit("staging_volume_not_mounted", {{"problem", p}});
    if (print) std::cerr << "s5j: warning: " << redactor.apply(p) << "\n";
  }
}

}  // namespace s5j::cli
