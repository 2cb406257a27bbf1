// What a mounted staging volume holds: each job's staged files under
// <volume>/s5j-staging/<job>/, and whether a run of that job holds the
// volume now (its s5j-job.lock is flocked by a live process:
// staging/volume_lock.h), for `volumes list` and for `unmount`'s refusal.
//
// Thread safety: free functions; read-only (the lock is only tried, and
// released at once).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace s5j::volumes {

struct JobOnVolume {
  std::string job;
  uint64_t staged_files = 0;
  uint64_t staged_bytes = 0;
  uint64_t partial_files = 0;  // .part files: writes in flight, or left by a crash
  std::string held_by;         // non-empty while a run holds the volume: the lock file's owner line
};

std::vector<JobOnVolume> jobs_on_volume(const std::string& mount_point);

}  // namespace s5j::volumes
