#include "staging/volume_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "staging/staging_error.h"
#include "staging/staging_layout.h"

namespace s5j::staging {
namespace {

Error lock_error(const std::string& what) { return Error{ErrorKind::fatal, kStagingError, what}; }

std::string errno_text(int err) { return std::strerror(err); }

Result<std::string> read_owner(int fd) {
  std::string text;
  char buffer[512];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0) return std::unexpected(lock_error(std::string("cannot read a staging lock file: ") + errno_text(errno)));
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

bool write_owner(int fd, std::string_view owner) {
  const std::string line = std::string(owner) + "\n";
  if (::ftruncate(fd, 0) != 0) return false;
  if (::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) return false;
  return ::fdatasync(fd) == 0;
}

int flock_retrying(int fd, int operation) {
  int rc;
  do rc = ::flock(fd, operation);
  while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

VolumeLock::~VolumeLock() {
  for (int fd : fds_) ::close(fd);  // closing releases the flock
}

Result<std::unique_ptr<VolumeLock>> VolumeLock::acquire(const std::vector<std::string>& volumes, std::string_view job,
                                                        std::string_view owner, std::string_view description) {
  if (auto ok = validate_job_name(job); !ok) return std::unexpected(ok.error());
  std::unique_ptr<VolumeLock> lock(new VolumeLock());
  for (const auto& volume : volumes) {
    std::error_code ec;
    if (!std::filesystem::is_directory(volume, ec)) continue;
    const std::string dir = job_dir(volume, job);
    std::filesystem::create_directories(dir, ec);
    const std::string path = dir + "/" + std::string(kVolumeLockName);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
      return std::unexpected(lock_error("cannot open the staging lock file " + path + ": " + errno_text(errno) +
                                        " (mount the volume read-write and make it writable by this user)"));
    lock->fds_.push_back(fd);
    // Exclusive while the owner is read and perhaps written; a process
    // already running here holds it shared, and then the file's owner is
    // final: ours (side by side) or another ledger's (refused).
    if (flock_retrying(fd, LOCK_EX | LOCK_NB) == 0) {
      auto previous = read_owner(fd);
      if (!previous) return std::unexpected(previous.error());
      if (*previous != owner) {
        if (!previous->empty()) lock->taken_over_.push_back(volume + ": " + *previous);
        if (!write_owner(fd, owner))
          return std::unexpected(lock_error("cannot write the staging lock file " + path + ": " + errno_text(errno)));
      }
      // Not atomic (flock(2)): another process may take it exclusively in
      // between, but it then reads the owner written above.
      if (flock_retrying(fd, LOCK_SH) != 0)
        return std::unexpected(lock_error("cannot lock " + path + ": " + errno_text(errno)));
      continue;
    }
    if (errno != EWOULDBLOCK)
      return std::unexpected(lock_error("cannot lock " + path + ": " + errno_text(errno)));
    if (flock_retrying(fd, LOCK_SH) != 0)
      return std::unexpected(lock_error("cannot lock " + path + ": " + errno_text(errno)));
    auto holder = read_owner(fd);
    if (!holder) return std::unexpected(holder.error());
    if (*holder != owner)
      return std::unexpected(lock_error(
          "staging volume " + volume + " is in use by job '" + std::string(job) + "' of another ledger (" + *holder +
          "); this run's ledger is " + std::string(description) +
          ": stop that run, or give this job its own name or staging.volumes"));
  }
  return lock;
}

}  // namespace s5j::staging
