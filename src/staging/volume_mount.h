// Whether a staging volume directory is a filesystem of its own (a disk
// mounted there) or a plain directory of another filesystem: on the root
// disk, a full root filesystem takes the machine down; on tmpfs, a reboot
// takes the staged data. `stage`/`relay` warn about such a volume and
// refuse it with staging.require_mounts; `check` and `volumes list -c`
// report it.
//
// A directory is its own mount point when its device (st_dev) differs from
// its parent's (or it is /). It is on the root filesystem when its device
// is /'s, and in memory when its filesystem is tmpfs or ramfs (statfs).
//
// Thread safety: free functions, no shared state.
#pragma once

#include <string>

namespace s5j::staging {

struct VolumeMount {
  bool examined = false;       // false: the directory could not be stat'ed (problem says why)
  bool own_mount = false;      // a mount point: its device differs from its parent directory's
  bool on_root = false;        // same device as /
  bool in_memory = false;      // tmpfs or ramfs
  std::string problem;         // empty when it is a disk of its own; else one line for a warning
  bool ok() const { return examined && problem.empty(); }
};

VolumeMount examine_volume_mount(const std::string& volume);

}  // namespace s5j::staging
