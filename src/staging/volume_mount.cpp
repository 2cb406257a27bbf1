#include "staging/volume_mount.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>

namespace s5j::staging {

VolumeMount examine_volume_mount(const std::string& volume) {
  VolumeMount m;
  struct stat self {}, parent {}, root {};
  if (::stat(volume.c_str(), &self) != 0 || ::stat((volume + "/..").c_str(), &parent) != 0) {
    m.problem = "staging volume " + volume + " cannot be examined: " + std::strerror(errno);
    return m;
  }
  m.examined = true;
  m.own_mount = self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
  m.on_root = ::stat("/", &root) == 0 && root.st_dev == self.st_dev;
  struct statfs fs {};
  m.in_memory = ::statfs(volume.c_str(), &fs) == 0 &&
                (fs.f_type == static_cast<decltype(fs.f_type)>(TMPFS_MAGIC) ||
                 fs.f_type == static_cast<decltype(fs.f_type)>(RAMFS_MAGIC));
  const std::string fix = " (mount a disk there: s5j volumes setup; or set staging.volumes)";
  if (m.in_memory)
    m.problem = "staging volume " + volume + " is in memory (tmpfs): a reboot loses what is staged there" + fix;
  else if (m.on_root)
    m.problem = "staging volume " + volume + " is on the root filesystem: staging can fill it and stop the machine" + fix;
  else if (!m.own_mount)
    m.problem = "staging volume " + volume + " is not a mount point: it shares the filesystem of its parent directory" + fix;
  return m;
}

}  // namespace s5j::staging
