// What `s5j volumes setup` and `unmount` will do, as data: per device, the
// action and the exact steps (the commands with their argv, the directory,
// the owner, the fstab line). Built by pure functions from the inventory,
// so --dry-run prints exactly what a real run runs, and tests check plans
// without devices.
//
// Mount points are PREFIX01 ... PREFIX99: a device that already holds an
// s5j volume gets the number of its label (s5j-vol-NN) when that is free,
// every other device the lowest free number, in the order given. A number
// is taken when its path is (used_numbers: mounted on, in the fstab, or an
// existing path that is not an empty directory).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "volumes/block_device.h"

namespace s5j::volumes {

enum class FsKind { ext4, xfs };
std::string_view to_string(FsKind fs);

struct Owner {
  unsigned uid = 0, gid = 0;
  std::string text;  // "user:group" as given, for printing
};

struct SetupOptions {
  std::string mount_base = "/tmp/volume-";  // PREFIX: absolute, no white space
  FsKind fs = FsKind::ext4;
  std::optional<Owner> owner;
  std::string fstab;               // empty: the fstab is not touched
  std::vector<std::string> wipe;   // kernel names named by --wipe: erased and formatted even if s5j's
  std::string device_timeout = "10s";  // x-systemd.device-timeout of the fstab line
};

enum class StepKind { run, make_dir, change_owner, add_fstab_line, remove_fstab_lines, remove_dir };

struct Step {
  StepKind kind = StepKind::run;
  std::vector<std::string> argv;    // run: the program and its arguments (no shell)
  std::string path;                 // make_dir, change_owner, remove_dir: the directory; fstab: the file
  Owner owner;                      // change_owner
  std::string fstab_line;           // add_fstab_line
  std::vector<std::string> fstab_specs, fstab_mount_points;  // remove_fstab_lines: what goes
  std::string text() const;         // one line, as --dry-run prints it
};

enum class VolumeAction { format, mount_existing, already_mounted, unmount };
std::string_view to_string(VolumeAction action);

struct VolumePlan {
  std::string device;        // /dev/...
  std::string model;
  uint64_t size_bytes = 0;
  VolumeAction action = VolumeAction::format;
  bool wipe = false;
  int number = 0;            // NN of the mount point
  std::string mount_point;
  std::string label;
  std::string uuid;
  std::string fs_type;
  std::vector<Step> steps;
  std::string summary() const;  // "DEV (SIZE, MODEL): format ext4 ... and mount at P"
};

// The numbers 1..99 whose PREFIXNN appears in `taken_paths`.
std::set<int> used_numbers(std::string_view mount_base, const std::vector<std::string>& taken_paths);

// The mount points of the fstab entries that take a number: all of them
// but the UUID= lines whose UUID no device of the inventory has (a disk
// that is gone, e.g. an instance-store disk blank again after a stop and
// start): their numbers are free again, and the new volume's line replaces
// them (same mount point).
std::vector<std::string> fstab_paths_in_use(const Inventory& inventory, std::string_view fstab_text);

// "PREFIX07" for 7.
std::string mount_point_for(std::string_view mount_base, int number);

// The fstab line of a volume: "UUID=U P FS defaults,noatime,nofail,x-systemd.device-timeout=T 0 2".
std::string fstab_line_for(const VolumePlan& plan, std::string_view device_timeout);

// Plans for devices already accepted by refusal_for. `new_uuid` gives the
// UUID of each new filesystem (so the fstab line is known before mkfs).
// StagingError when the numbers run out (more than 99 volumes).
Result<std::vector<VolumePlan>> plan_setup(const std::vector<const BlockDevice*>& devices, const SetupOptions& options,
                                           std::set<int> used, const std::function<std::string()>& new_uuid);

// Every s5j volume mounted at PREFIXNN: unmount, remove the (empty)
// mount point directory, and, with `fstab`, its lines there (by UUID and by
// mount point).
std::vector<VolumePlan> plan_unmount(const Inventory& inventory, std::string_view mount_base, const std::string& fstab);

// Checks the mount base: absolute, no white space or control characters.
Status validate_mount_base(std::string_view mount_base);

}  // namespace s5j::volumes
