// `s5j volumes list | setup | unmount`: the staging disks (the original's
// setup_volumes.py). list shows every block device and its state; setup
// formats (ext4 or xfs, labelled s5j-vol-NN) and mounts free devices at
// PREFIX01, PREFIX02, ..., or mounts again a device that already holds an
// s5j staging volume, keeping its data; unmount undoes it. Everything that
// could destroy data is refused up front, one line per device, exit 11,
// before anything runs (volumes/device_rules.h). The commands setup runs
// are printed first; --dry-run stops there.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/volumes_list.h"
#include "config/units.h"
#include "volumes/device_rules.h"
#include "volumes/fstab_edit.h"
#include "volumes/mount_table.h"
#include "volumes/plan_runner.h"
#include "volumes/setup_plan.h"
#include "volumes/system_inventory.h"
#include "volumes/volume_contents.h"

namespace s5j::cli {
namespace {

struct VolumesOptions {
  std::string config_path;  // optional: the mount base and the job's volumes come from it
  bool json = false;
  std::vector<std::string> devices;
  bool all_free = false;
  std::string mount_base;
  std::string fs = "ext4";
  std::string owner;
  std::string fstab;
  std::vector<std::string> wipe;
  std::string min_size;
  bool dry_run = false;
  bool yes = false;
};

int fail(const std::string& message, int code = kStagingError) {
  std::cerr << "s5j: " << message << "\n";
  return code;
}

// --mount-base, else the config's staging.volume_pattern, else the default.
Result<std::string> mount_base_for(const VolumesOptions& o) {
  std::string base = o.mount_base;
  if (base.empty() && !o.config_path.empty()) {
    auto config = load_config_for_command(o.config_path);
    if (!config) return std::unexpected(config.error());
    base = config->staging.volume_pattern;
  }
  if (base.empty()) base = config::StagingConfig{}.volume_pattern;
  if (auto ok = volumes::validate_mount_base(base); !ok) return std::unexpected(ok.error());
  return base;
}

Result<volumes::Owner> parse_owner(const std::string& text) {
  const auto colon = text.find(':');
  const std::string user = text.substr(0, colon);
  const std::string group_name = colon == std::string::npos ? "" : text.substr(colon + 1);
  volumes::Owner o{.text = text};
  if (const passwd* pw = ::getpwnam(user.c_str())) {
    o.uid = pw->pw_uid;
    o.gid = pw->pw_gid;
  } else if (!user.empty() && user.find_first_not_of("0123456789") == std::string::npos) {
    o.uid = o.gid = static_cast<unsigned>(std::stoul(user));
  } else {
    return make_error(ErrorKind::fatal, "Usage", "--owner " + text + ": no user " + user + " on this machine (create it, or name another)");
  }
  if (!group_name.empty()) {
    if (const struct group* gr = ::getgrnam(group_name.c_str())) {
      o.gid = gr->gr_gid;
    } else if (group_name.find_first_not_of("0123456789") == std::string::npos) {
      o.gid = static_cast<unsigned>(std::stoul(group_name));
    } else {
      return make_error(ErrorKind::fatal, "Usage", "--owner " + text + ": no group " + group_name + " on this machine");
    }
  }
  return o;
}

std::string random_uuid() {
  unsigned char b[16] = {};
  if (FILE* f = std::fopen("/dev/urandom", "rb")) {
    (void)!std::fread(b, 1, sizeof b, f);
    std::fclose(f);
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

bool empty_directory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) && std::filesystem::is_empty(path, ec) && !ec;
}

// Paths that take a mount number: mounted on, in the fstab (but for lines
// of disks that are gone), or existing and not an empty directory (staging discovery would find a plain
// directory there and stage onto the disk under it).
Result<std::vector<std::string>> taken_paths(const volumes::Inventory& inventory, const std::string& base,
                                             const std::string& fstab) {
  std::vector<std::string> taken;
  auto mounts = volumes::read_mount_table();
  if (!mounts) return std::unexpected(mounts.error());
  for (const auto& m : *mounts) taken.push_back(m.mount_point);
  if (!fstab.empty()) {
    auto text = volumes::read_fstab(fstab);
    if (!text) return std::unexpected(text.error());
    for (auto& m : volumes::fstab_paths_in_use(inventory, *text)) taken.push_back(std::move(m));
  }
  for (int n = 1; n <= 99; ++n) {
    const std::string p = volumes::mount_point_for(base, n);
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && !empty_directory(p)) taken.push_back(p);
  }
  return taken;
}

bool confirmed(const std::vector<volumes::VolumePlan>& plans) {
  if (!::isatty(STDIN_FILENO)) {
    std::cerr << "s5j: volumes setup needs a confirmation: run it on a terminal, or pass --yes to go ahead without "
                 "asking (--dry-run shows what it would do)\n";
    return false;
  }
  bool erases = false;
  for (const auto& p : plans) erases = erases || p.action == volumes::VolumeAction::format;
  std::cerr << (erases ? "Everything on the devices to format is lost. " : "") << "Go ahead? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
    std::cerr << "s5j: not confirmed; nothing was changed\n";
    return false;
  }
  return true;
}

int run_list(const VolumesOptions& o) {
  std::optional<config::Config> config;
  if (!o.config_path.empty()) {
    auto c = load_config_for_command(o.config_path);
    if (!c) return exit_code_for(c.error());
    config = std::move(*c);
  }
  auto inventory = volumes::read_inventory();
  if (!inventory) return fail(inventory.error().message);
  const auto list = volumes_list_json(*inventory, config ? &*config : nullptr);
  if (o.json)
    std::cout << list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else
    std::cout << volumes_list_text(list);
  return kOk;
}

int run_setup(const VolumesOptions& o) {
  if (o.devices.empty() == !o.all_free) return fail("volumes setup: name the devices with --device DEV (one or more), or pass --all-free", kUsage);
  auto base = mount_base_for(o);
  if (!base) return fail(base.error().message, base.error().code == "ConfigError" ? kConfigError : kUsage);
  volumes::SetupRules rules;
  if (!o.min_size.empty()) {
    auto size = config::parse_byte_size(o.min_size);
    if (!size) return fail("--min-size " + o.min_size + ": " + size.error(), kUsage);
    rules.minimum_size = *size;
  }
  volumes::SetupOptions options{.mount_base = *base, .fs = o.fs == "xfs" ? volumes::FsKind::xfs : volumes::FsKind::ext4,
                                .fstab = o.fstab};
  if (!o.owner.empty()) {
    auto owner = parse_owner(o.owner);
    if (!owner) return fail(owner.error().message, kUsage);
    options.owner = *owner;
  }

  auto inventory = volumes::read_inventory();
  if (!inventory) return fail(inventory.error().message);
  // Every device is judged before anything runs: one refusal and nothing
  // is touched.
  std::vector<const volumes::BlockDevice*> chosen;
  std::vector<std::string> refusals;
  for (const auto& w : o.wipe) {
    auto d = volumes::resolve_device(*inventory, w);
    if (!d) {
      refusals.push_back(d.error().message);
      continue;
    }
    bool named = false;
    for (const auto& arg : o.devices)
      if (auto n = volumes::resolve_device(*inventory, arg); n && *n == *d) named = true;
    if (!named) return fail("--wipe " + w + " must also be named with --device (it is erased only when named twice)", kUsage);
    rules.wipe.push_back((*d)->name);
  }
  options.wipe = rules.wipe;
  if (o.all_free) {
    chosen = volumes::pick_all_free(*inventory, rules);
    if (chosen.empty())
      return fail("no free block device to set up: every device is in use, a partition, or smaller than " +
                  human_bytes(rules.minimum_size) + " (see s5j volumes list; name a loop or ram device with --device)");
  }
  for (const auto& arg : o.devices) {
    auto d = volumes::resolve_device(*inventory, arg);
    if (!d) {
      refusals.push_back(d.error().message);
      continue;
    }
    if (std::find(chosen.begin(), chosen.end(), *d) != chosen.end()) continue;  // named twice
    if (auto refusal = volumes::refusal_for(*inventory, **d, rules)) {
      refusals.push_back(*refusal);
      continue;
    }
    chosen.push_back(*d);
  }
  if (!refusals.empty()) {
    for (const auto& r : refusals) std::cerr << "s5j: refused: " << r << "\n";
    std::cerr << "s5j: nothing was changed\n";
    return kStagingError;
  }

  auto taken = taken_paths(*inventory, *base, o.fstab);
  if (!taken) return fail(taken.error().message);
  auto plans = volumes::plan_setup(chosen, options, volumes::used_numbers(*base, *taken), random_uuid);
  if (!plans) return fail(plans.error().message);

  for (const auto& p : *plans) std::cout << p.summary() << "\n";
  if (o.dry_run) {
    std::cout << "\ncommands (--dry-run: none was run):\n";
    for (const auto& p : *plans)
      for (const auto& s : p.steps) std::cout << "  " << s.text() << "\n";
    return kOk;
  }
  if (!o.yes && !confirmed(*plans)) return kUsage;
  auto ok = volumes::run_plans(*plans, [](const volumes::VolumePlan&, const volumes::Step& s) {
    std::cout << "  $ " << s.text() << "\n" << std::flush;
  });
  if (!ok) return fail(ok.error().message);
  std::cout << "staging volumes ready: " << *base << "NN";
  if (*base != config::StagingConfig{}.volume_pattern) std::cout << " (set staging.volume_pattern: " << *base << ")";
  std::cout << "\n";
  return kOk;
}

int run_unmount(const VolumesOptions& o) {
  auto base = mount_base_for(o);
  if (!base) return fail(base.error().message, base.error().code == "ConfigError" ? kConfigError : kUsage);
  auto inventory = volumes::read_inventory();
  if (!inventory) return fail(inventory.error().message);
  const auto plans = volumes::plan_unmount(*inventory, *base, o.fstab);
  if (plans.empty()) {
    std::cout << "no s5j staging volume is mounted at " << *base << "01 ... " << *base << "99\n";
    return kOk;
  }
  std::vector<std::string> refusals;
  for (const auto& p : plans)
    for (const auto& job : volumes::jobs_on_volume(p.mount_point))
      if (!job.held_by.empty())
        refusals.push_back(p.mount_point + " is in use: a run of job " + job.job + " stages there (" + job.held_by +
                           "; stop it first)");
  if (!refusals.empty()) {
    for (const auto& r : refusals) std::cerr << "s5j: refused: " << r << "\n";
    std::cerr << "s5j: nothing was changed\n";
    return kStagingError;
  }
  for (const auto& p : plans) std::cout << p.summary() << "\n";
  if (o.dry_run) {
    std::cout << "\ncommands (--dry-run: none was run):\n";
    for (const auto& p : plans)
      for (const auto& s : p.steps) std::cout << "  " << s.text() << "\n";
    return kOk;
  }
  auto ok = volumes::run_plans(plans, [](const volumes::VolumePlan&, const volumes::Step& s) {
    std::cout << "  $ " << s.text() << "\n" << std::flush;
  });
  if (!ok) return fail(ok.error().message);
  return kOk;
}

}  // namespace

void add_volumes_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<VolumesOptions>();
  auto* volumes = app.add_subcommand("volumes", "find, format and mount the staging disks (list, setup, unmount)");
  volumes->require_subcommand(1);

  auto* list = volumes->add_subcommand("list", "every block device: size, model, filesystem, mount points, and whether it is free, in use, or an s5j staging volume");
  list->add_option("-c,--config", o->config_path, "also show whether the job's staging volumes are filesystems of their own");
  list->add_flag("--json", o->json, "one JSON object");
  list->callback([&action, o] { action = [o] { return run_list(*o); }; });

  auto* setup = volumes->add_subcommand("setup", "format (ext4/xfs, label s5j-vol-NN) and mount free devices at PREFIX01, PREFIX02, ...; an s5j volume is mounted again with its data");
  setup->add_option("--device", o->devices, "a device to set up (repeat for several)")->type_name("DEV");
  setup->add_flag("--all-free", o->all_free, "every free device (never loop, ram or zram devices unless named with --device)");
  setup->add_option("--mount-base", o->mount_base, "mount point prefix (default: the config's staging.volume_pattern, else /tmp/volume-)")->type_name("PREFIX");
  setup->add_option("-c,--config", o->config_path, "config file whose staging.volume_pattern is the mount base");
  setup->add_option("--fs", o->fs, "filesystem for new volumes")->check(CLI::IsMember({"ext4", "xfs"}))->capture_default_str();
  setup->add_option("--owner", o->owner, "USER[:GROUP] to own the mounted volumes (the user s5j runs as)")->type_name("OWNER");
  setup->add_option("--fstab", o->fstab, "add the volumes to this fstab (/etc/fstab: mounted again at boot); without it no fstab is changed")->type_name("FILE");
  setup->add_option("--wipe", o->wipe, "erase this device although it holds a partition table or another filesystem (it must also be named with --device)")->type_name("DEV");
  setup->add_option("--min-size", o->min_size, "refuse devices smaller than this (default 1GiB)")->type_name("SIZE");
  setup->add_flag("--dry-run", o->dry_run, "print what would be done, change nothing");
  setup->add_flag("-y,--yes", o->yes, "do not ask for confirmation");
  setup->callback([&action, o] { action = [o] { return run_setup(*o); }; });

  auto* unmount = volumes->add_subcommand("unmount", "unmount the s5j staging volumes at PREFIXNN and remove their fstab lines");
  unmount->add_option("--mount-base", o->mount_base, "mount point prefix (default: the config's staging.volume_pattern, else /tmp/volume-)")->type_name("PREFIX");
  unmount->add_option("-c,--config", o->config_path, "config file whose staging.volume_pattern is the mount base");
  unmount->add_option("--fstab", o->fstab, "remove the volumes' lines from this fstab")->type_name("FILE");
  unmount->add_flag("--dry-run", o->dry_run, "print what would be done, change nothing");
  unmount->callback([&action, o] { action = [o] { return run_unmount(*o); }; });
}

}  // namespace s5j::cli
