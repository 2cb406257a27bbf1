#include "volumes/plan_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "volumes/fstab_edit.h"
#include "volumes/volume_error.h"

extern char** environ;

namespace s5j::volumes {
namespace {

Status run_command(const Step& step) {
  std::vector<char*> argv;
  for (const auto& a : step.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  // mkfs, wipefs and mount live in /usr/sbin, which a PATH without the
  // sbin directories (cron, some sudo set-ups) does not search.
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/"}) {
    if (rc != ENOENT || step.argv[0].find('/') != std::string::npos) break;
    rc = ::posix_spawn(&pid, (dir + step.argv[0]).c_str(), &actions, nullptr, argv.data(), environ);
  }
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return volume_error("cannot run " + step.argv[0] + ": " + std::strerror(rc) +
                        (rc == ENOENT ? " (install it: e2fsprogs, xfsprogs, util-linux)" : ""));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return volume_error("lost " + step.text() + ": " + std::strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                            : "was killed by signal " + std::to_string(WTERMSIG(status));
  return volume_error("`" + step.text() + "` " + how + " (its message is above)");
}

Status edit_fstab(const Step& step) {
  auto text = read_fstab(step.path);
  if (!text) return std::unexpected(text.error());
  const std::string edited =
      step.kind == StepKind::add_fstab_line
          ? fstab_with_line(*text, step.fstab_line)
          : fstab_without(*text, std::set<std::string>(step.fstab_specs.begin(), step.fstab_specs.end()),
                          std::set<std::string>(step.fstab_mount_points.begin(), step.fstab_mount_points.end()));
  if (edited == *text) return {};
  return write_fstab(step.path, edited);
}

}  // namespace

Status run_step(const Step& step) {
  switch (step.kind) {
    case StepKind::run: return run_command(step);
    case StepKind::make_dir: {
      std::error_code ec;
      std::filesystem::create_directories(step.path, ec);
      if (ec) return volume_error("cannot create " + step.path + ": " + ec.message());
      return {};
    }
    case StepKind::remove_dir:
      if (::rmdir(step.path.c_str()) != 0 && errno != ENOENT)
        return volume_error("cannot remove the mount point " + step.path + ": " + std::strerror(errno) +
                            " (it is no longer a staging volume: remove it by hand so that nothing stages there)");
      return {};
    case StepKind::change_owner:
      if (::chown(step.path.c_str(), step.owner.uid, step.owner.gid) != 0)
        return volume_error("cannot chown " + step.path + " to " + step.owner.text + ": " + std::strerror(errno));
      return {};
    case StepKind::add_fstab_line:
    case StepKind::remove_fstab_lines: return edit_fstab(step);
  }
  return {};
}

Status run_plans(const std::vector<VolumePlan>& plans, const std::function<void(const VolumePlan&, const Step&)>& before) {
  for (const auto& plan : plans) {
    for (const auto& step : plan.steps) {
      if (before) before(plan, step);
      if (auto ok = run_step(step); !ok)
        return volume_error(plan.device + ": " + ok.error().message + "; the steps after it were not run");
    }
  }
  return {};
}

}  // namespace s5j::volumes
