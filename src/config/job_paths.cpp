#include "config/job_paths.h"

#include <filesystem>

namespace s5j::config {
namespace {

namespace fs = std::filesystem;

const fs::path kSystemStateDir = "/var/lib/s5j";
const fs::path kSystemLogDir = "/var/log/s5j";

// /etc holds configuration, never state (FHS): a config installed there
// keeps its job's state where the system keeps state.
bool is_system_config(const fs::path& config_dir) {
  const std::string dir = config_dir.lexically_normal().string();
  return dir == "/etc" || dir.starts_with("/etc/");
}

std::string anchored(const fs::path& base, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (base / path).lexically_normal().string();
}

}  // namespace

void anchor_job_paths(Config& config, const std::string& config_file) {
  std::error_code ec;
  const fs::path config_dir = fs::absolute(fs::path(config_file), ec).parent_path();
  const fs::path working_dir = fs::current_path(ec);

  const bool system = is_system_config(config_dir);
  // "sqlite:FILE" names the same file as FILE.
  const bool sqlite_scheme = config.ledger.path.starts_with("sqlite:");
  const std::string file = sqlite_scheme ? config.ledger.path.substr(7) : config.ledger.path;
  if (!file.empty() && fs::path(file).is_relative()) {
    const std::string old_place = anchored(working_dir, file);
    const std::string place = anchored(system ? kSystemStateDir / config.job : config_dir, file);
    config.ledger.path = (sqlite_scheme ? "sqlite:" : "") + place;
    config.ledger.working_directory_path = old_place == place ? "" : old_place;
  }
  config.log.dir = anchored(system ? kSystemLogDir / config.job : config_dir, config.log.dir);
  for (auto& volume : config.staging.volumes) volume = anchored(config_dir, volume);
  config.staging.volume_pattern = anchored(config_dir, config.staging.volume_pattern);
}

}  // namespace s5j::config
