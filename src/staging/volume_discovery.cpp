#include "staging/volume_discovery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "staging/posix_file.h"
#include "staging/staging_error.h"
#include "staging/staging_layout.h"

namespace s5j::staging {
namespace {

std::atomic<unsigned> probe_counter{0};

std::unexpected<Error> volume_error(const std::string& volume, const std::string& problem, const std::string& fix,
                                    bool discovered) {
  const char* tail = discovered ? ", or change staging.volume_pattern" : ", or remove it from staging.volumes";
  return staging_error(ErrorKind::fatal, kStagingError,
                       "staging volume " + volume + " " + problem + " (" + fix + tail + ")");
}

// Why a write into the volume failed, in terms a person can act on.
std::unexpected<Error> not_writable(const std::string& volume, int err, bool discovered) {
  if (err == EROFS) return volume_error(volume, "is on a read-only filesystem", "remount it read-write", discovered);
  if (err == EACCES || err == EPERM) {
    return volume_error(volume, "is not writable by this user", "fix its owner or permissions", discovered);
  }
  if (err == ENOSPC || err == EDQUOT) {
    return volume_error(volume, "is full", "free space on it", discovered);
  }
  return volume_error(volume, std::string("cannot be written: ") + std::strerror(err), "check the disk", discovered);
}

// mkdir 0700 of one staging level; the error names the volume, since that
// is what the person configured.
Status make_level(const std::string& dir, const std::string& volume, bool discovered) {
  if (::mkdir(dir.c_str(), 0700) == 0) return {};
  const int err = errno;
  if (err != EEXIST) return not_writable(volume, err, discovered);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return volume_error(volume, "holds " + dir + ", which is not a directory", "move it away", discovered);
  }
  return {};
}

}  // namespace

std::vector<std::string> discover_volumes(std::string_view pattern) {
  std::vector<std::string> out;
  for (int i = 1; i <= 99; ++i) {
    char num[4];
    std::snprintf(num, sizeof num, "%02d", i);
    std::string path = std::string(pattern) + num;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 || errno != ENOENT) out.push_back(std::move(path));
  }
  return out;
}

Status prepare_volume(const std::string& volume, std::string_view job, bool discovered) {
  if (auto ok = validate_job_name(job); !ok) return ok;
  struct stat st {};
  if (::stat(volume.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      return volume_error(volume, "does not exist", "create it or mount the disk there", discovered);
    }
    return volume_error(volume, std::string("cannot be examined: ") + std::strerror(err), "check the path",
                        discovered);
  }
  if (!S_ISDIR(st.st_mode)) {
    return volume_error(volume, "is not a directory", "point it at a directory", discovered);
  }
  const std::string root = staging_root(volume);
  const std::string jdir = job_dir(volume, job);
  if (auto ok = make_level(root, volume, discovered); !ok) return ok;
  if (auto ok = make_level(jdir, volume, discovered); !ok) return ok;

  // The directories may already exist on a filesystem that has since gone
  // read-only (mkdir reports EEXIST first), so a file is the real test.
  const std::string probe = jdir + "/.s5j-probe-" + std::to_string(::getpid()) + "-" +
                            std::to_string(probe_counter.fetch_add(1));
  UniqueFd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return not_writable(volume, errno, discovered);
  fd.reset();
  ::unlink(probe.c_str());
  // New levels must survive a power cut like the files under them.
  if (auto ok = fsync_dir(root); !ok) return not_writable(volume, EIO, discovered);
  if (auto ok = fsync_dir(volume); !ok) return not_writable(volume, EIO, discovered);
  return {};
}

Result<std::vector<std::string>> resolve_volumes(const std::vector<std::string>& configured,
                                                 std::string_view pattern, std::string_view job) {
  const bool discovered = configured.empty();
  std::vector<std::string> paths = discovered ? discover_volumes(pattern) : configured;
  if (paths.empty()) {
    const std::string p(pattern);
    return staging_error(ErrorKind::fatal, kStagingError,
                         "no staging volumes: none of " + p + "01 ... " + p +
                             "99 exists (create or mount them, or list directories in staging.volumes)");
  }
  std::vector<std::string> out;
  std::vector<std::pair<dev_t, ino_t>> seen;
  for (const std::string& raw : paths) {
    std::string volume = normalize_volume_path(raw);
    if (volume.empty()) {
      return staging_error(ErrorKind::fatal, kStagingError,
                           "staging.volumes has an empty entry (remove it or give a directory)");
    }
    if (auto ok = prepare_volume(volume, job, discovered); !ok) return std::unexpected(ok.error());
    struct stat st {};
    if (::stat(volume.c_str(), &st) != 0) return not_writable(volume, errno, discovered);
    for (size_t i = 0; i < seen.size(); ++i) {
      if (seen[i] == std::pair(st.st_dev, st.st_ino)) {
        return staging_error(ErrorKind::fatal, kStagingError,
                             "staging volumes " + out[i] + " and " + volume +
                                 " are the same directory (list it once in staging.volumes)");
      }
    }
    seen.emplace_back(st.st_dev, st.st_ino);
    out.push_back(std::move(volume));
  }
  return out;
}

}  // namespace s5j::staging
