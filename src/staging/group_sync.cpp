#include "staging/group_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "staging/staging_error.h"

namespace s5j::staging {

Result<std::unique_ptr<GroupSync>> GroupSync::open(const std::string& volume, SyncFsFn sync_fs) {
  UniqueFd fd(::open(volume.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return io_error("cannot open staging volume", volume, errno);
  if (!sync_fs) sync_fs = [](int f) { return ::syncfs(f); };
  return std::unique_ptr<GroupSync>(new GroupSync(volume, std::move(fd), std::move(sync_fs)));
}

GroupSync::GroupSync(std::string volume, UniqueFd fd, SyncFsFn sync_fs)
    : volume_(std::move(volume)), fd_(std::move(fd)), sync_fs_(std::move(sync_fs)) {}

Status GroupSync::wait_durable() {
  std::unique_lock lock(mutex_);
  ++waiting_;
  // The round that has not started yet is the first one that covers us.
  const std::shared_ptr<Round> mine = next_;
  while (!mine->done) {
    if (running_) {
      done_.wait(lock);
      continue;
    }
    // No sync running and ours not done: ours is next_, and we lead it.
    running_ = true;
    next_ = std::make_shared<Round>();
    lock.unlock();
    const int rc = sync_fs_(fd_.get());
    const int err = rc == 0 ? 0 : errno;
    lock.lock();
    running_ = false;
    mine->done = true;
    if (rc != 0) mine->error = io_error("cannot sync the filesystem of staging volume", volume_, err).error();
    done_.notify_all();
  }
  --waiting_;
  if (mine->error) return std::unexpected(*mine->error);
  return {};
}

size_t GroupSync::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace s5j::staging
