#include "volumes/volume_contents.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>

#include "staging/recovery_scan.h"
#include "staging/staging_layout.h"
#include "staging/volume_lock.h"

namespace s5j::volumes {
namespace {

// The owner line when a live process holds the job's volume lock, else "".
std::string lock_holder(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "";
  std::string holder;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    std::ifstream in(lock_path);
    std::getline(in, holder);
    if (holder.empty()) holder = "a run";
  }
  ::close(fd);  // releases the lock if we got it
  return holder;
}

}  // namespace

std::vector<JobOnVolume> jobs_on_volume(const std::string& mount_point) {
  std::vector<JobOnVolume> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(staging::staging_root(mount_point), ec)) {
    if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    JobOnVolume j{.job = entry.path().filename().string()};
    if (auto scan = staging::scan_staging({mount_point}, j.job)) {
      j.staged_files = scan->complete.size();
      for (const auto& f : scan->complete) j.staged_bytes += f.size;
      j.partial_files = scan->partial.size();
    }
    j.held_by = lock_holder(entry.path().string() + "/" + std::string(staging::kVolumeLockName));
    out.push_back(std::move(j));
  }
  std::sort(out.begin(), out.end(), [](const JobOnVolume& a, const JobOnVolume& b) { return a.job < b.job; });
  return out;
}

}  // namespace s5j::volumes
