#include "volumes/setup_plan.h"

#include <algorithm>
#include <cstdio>

#include "base/strings.h"
#include "volumes/fstab_edit.h"
#include "volumes/volume_error.h"

namespace s5j::volumes {
namespace {

// The number NN when `path` is exactly PREFIX followed by two digits.
int number_of(std::string_view mount_base, std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (!path.starts_with(mount_base) || path.size() != mount_base.size() + 2) return 0;
  const char a = path[mount_base.size()], b = path[mount_base.size() + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
  const int n = (a - '0') * 10 + (b - '0');
  return n >= 1 && n <= 99 ? n : 0;
}

std::string shell_quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-") ==
                          std::string::npos)
    return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string label_for(int number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", number);
  return std::string(kLabelPrefix) + buf;
}

Step run(std::vector<std::string> argv) { return Step{.kind = StepKind::run, .argv = std::move(argv)}; }

std::vector<std::string> mkfs_argv(FsKind fs, const std::string& label, const std::string& uuid,
                                   const std::string& device) {
  if (fs == FsKind::xfs) return {"mkfs.xfs", "-q", "-L", label, "-m", "uuid=" + uuid, device};
  // No blocks reserved for root (a staging disk holds only staged files);
  // inode tables and journal initialised lazily in the background, so a
  // large EBS volume is ready in seconds.
  return {"mkfs.ext4", "-q", "-L", label, "-U", uuid, "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1",
          device};
}

}  // namespace

std::string_view to_string(FsKind fs) { return fs == FsKind::xfs ? "xfs" : "ext4"; }

std::string_view to_string(VolumeAction action) {
  switch (action) {
    case VolumeAction::format: return "format";
    case VolumeAction::mount_existing: return "mount";
    case VolumeAction::already_mounted: return "mounted";
    case VolumeAction::unmount: return "unmount";
  }
  return "?";
}

std::string Step::text() const {
  switch (kind) {
    case StepKind::run: {
      std::string out;
      for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quoted(a);
      return out;
    }
    case StepKind::make_dir: return "mkdir -p " + shell_quoted(path);
    case StepKind::remove_dir: return "rmdir " + shell_quoted(path);
    case StepKind::change_owner: return "chown " + shell_quoted(owner.text) + " " + shell_quoted(path);
    case StepKind::add_fstab_line: return "add to " + path + ": " + fstab_line;
    case StepKind::remove_fstab_lines: {
      std::string what;
      for (const auto& s : fstab_specs) what += (what.empty() ? "" : " or ") + s;
      for (const auto& m : fstab_mount_points) what += (what.empty() ? "" : " or ") + m;
      return "remove from " + path + ": the lines of " + what;
    }
  }
  return "";
}

std::string VolumePlan::summary() const {
  std::string out = device + " (" + human_bytes(size_bytes) + (model.empty() ? "" : ", " + model) + "): ";
  switch (action) {
    case VolumeAction::format:
      out += std::string(wipe ? "ERASE everything on it, " : "") + "format " + fs_type + " (label " + label +
             ") and mount at " + mount_point;
      break;
    case VolumeAction::mount_existing:
      out += "already an s5j staging volume (" + fs_type + ", label " + label + "): mount at " + mount_point +
             ", its data kept";
      break;
    case VolumeAction::already_mounted: out += "already mounted at " + mount_point + ": nothing to do"; break;
    case VolumeAction::unmount: out += "unmount " + mount_point; break;
  }
  return out;
}

std::set<int> used_numbers(std::string_view mount_base, const std::vector<std::string>& taken_paths) {
  std::set<int> out;
  for (const auto& p : taken_paths)
    if (int n = number_of(mount_base, p)) out.insert(n);
  return out;
}

std::vector<std::string> fstab_paths_in_use(const Inventory& inventory, std::string_view fstab_text) {
  std::vector<std::string> out;
  for (auto& e : fstab_entries(fstab_text)) {
    if (e.spec.starts_with("UUID=")) {
      const std::string uuid = e.spec.substr(5);
      bool present = false;
      for (const auto& d : inventory.devices) present = present || d.uuid == uuid;
      if (!present) continue;
    }
    out.push_back(std::move(e.mount_point));
  }
  return out;
}

std::string mount_point_for(std::string_view mount_base, int number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", number);
  return std::string(mount_base) + buf;
}

std::string fstab_line_for(const VolumePlan& plan, std::string_view device_timeout) {
  return "UUID=" + plan.uuid + " " + plan.mount_point + " " + plan.fs_type +
         " defaults,noatime,nofail,x-systemd.device-timeout=" + std::string(device_timeout) + " 0 2";
}

Status validate_mount_base(std::string_view base) {
  if (base.empty() || base.front() != '/')
    return volume_error("--mount-base " + std::string(base) + " is not an absolute path (give one such as /mnt/volume-)");
  for (unsigned char c : base)
    if (c <= ' ' || c == 0x7f)
      return volume_error("--mount-base '" + std::string(base) +
                          "' holds white space or a control character (fstab cannot carry it: choose another)");
  if (base.back() == '/') return volume_error("--mount-base " + std::string(base) + " ends with / (give a prefix such as /mnt/volume-)");
  return {};
}

Result<std::vector<VolumePlan>> plan_setup(const std::vector<const BlockDevice*>& devices, const SetupOptions& options,
                                           std::set<int> used, const std::function<std::string()>& new_uuid) {
  std::vector<VolumePlan> plans;
  auto wiped = [&](const BlockDevice& d) {
    return std::find(options.wipe.begin(), options.wipe.end(), d.name) != options.wipe.end();
  };
  // s5j volumes first claim the number of their label, so a volume comes
  // back at the path it had before a reboot.
  std::vector<int> numbers(devices.size(), 0);
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = *devices[i];
    if (d.is_s5j_volume() && !wiped(d) && d.mount_points.empty())
      if (int n = d.label_number(); n && !used.contains(n)) {
        numbers[i] = n;
        used.insert(n);
      }
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = *devices[i];
    VolumePlan p{.device = d.path, .model = d.model, .size_bytes = d.size_bytes};
    if (d.is_s5j_volume() && !wiped(d) && !d.mount_points.empty()) {
      p.action = VolumeAction::already_mounted;
      p.mount_point = d.mount_points.front();
      p.number = number_of(options.mount_base, p.mount_point);
      p.label = d.label;
      p.uuid = d.uuid;
      p.fs_type = d.fs_type;
      if (!options.fstab.empty() && p.number)
        p.steps.push_back({.kind = StepKind::add_fstab_line, .path = options.fstab,
                           .fstab_line = fstab_line_for(p, options.device_timeout)});
      plans.push_back(std::move(p));
      continue;
    }
    if (!numbers[i]) {
      int n = 1;
      while (n <= 99 && used.contains(n)) ++n;
      if (n > 99)
        return volume_error("no mount point left for " + d.path + ": " + options.mount_base + "01 ... " +
                            options.mount_base + "99 are all taken (free some, or give another --mount-base)");
      numbers[i] = n;
      used.insert(n);
    }
    p.number = numbers[i];
    p.mount_point = mount_point_for(options.mount_base, p.number);
    if (d.is_s5j_volume() && !wiped(d)) {
      p.action = VolumeAction::mount_existing;
      p.label = d.label;
      p.uuid = d.uuid;
      p.fs_type = d.fs_type;
    } else {
      p.action = VolumeAction::format;
      p.wipe = wiped(d);
      p.label = label_for(p.number);
      p.uuid = new_uuid();
      p.fs_type = std::string(to_string(options.fs));
      if (p.wipe) p.steps.push_back(run({"wipefs", "--all", "--quiet", d.path}));
      p.steps.push_back(run(mkfs_argv(options.fs, p.label, p.uuid, d.path)));
    }
    p.steps.push_back({.kind = StepKind::make_dir, .path = p.mount_point});
    p.steps.push_back(run({"mount", "-t", p.fs_type, "-o", "noatime", d.path, p.mount_point}));
    if (options.owner) p.steps.push_back({.kind = StepKind::change_owner, .path = p.mount_point, .owner = *options.owner});
    if (!options.fstab.empty())
      p.steps.push_back({.kind = StepKind::add_fstab_line, .path = options.fstab,
                         .fstab_line = fstab_line_for(p, options.device_timeout)});
    plans.push_back(std::move(p));
  }
  return plans;
}

std::vector<VolumePlan> plan_unmount(const Inventory& inventory, std::string_view mount_base, const std::string& fstab) {
  std::vector<VolumePlan> plans;
  for (const auto& d : inventory.devices) {
    if (!d.is_s5j_volume()) continue;
    for (const auto& mp : d.mount_points) {
      const int n = number_of(mount_base, mp);
      if (!n) continue;
      VolumePlan p{.device = d.path, .model = d.model, .size_bytes = d.size_bytes, .action = VolumeAction::unmount,
                   .number = n, .mount_point = mp, .label = d.label, .uuid = d.uuid, .fs_type = d.fs_type};
      p.steps.push_back(run({"umount", mp}));
      p.steps.push_back({.kind = StepKind::remove_dir, .path = mp});
      if (!fstab.empty())
        p.steps.push_back({.kind = StepKind::remove_fstab_lines, .path = fstab,
                           .fstab_specs = {"UUID=" + d.uuid}, .fstab_mount_points = {mp}});
      plans.push_back(std::move(p));
    }
  }
  std::sort(plans.begin(), plans.end(), [](const VolumePlan& a, const VolumePlan& b) { return a.number < b.number; });
  return plans;
}

}  // namespace s5j::volumes
