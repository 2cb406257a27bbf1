// GroupSync: makes the files just written on one volume durable in groups:
// one syncfs(2) for every writer waiting at the time, instead of an fsync
// of each file and of its directory.
//
// Why: a staged relay of small objects wrote, synced and renamed one file
// per object, and the two fsyncs per file were a sixth of its CPU (W3 in
// docs/performance.md). Writers finishing within the same few milliseconds
// now share one sync.
//
// wait_durable() returns once a sync that started after the call has
// finished: everything the caller wrote, created or renamed on the
// volume's filesystem before the call is then on disk. The first caller
// that finds no sync running leads the next one, for everyone waiting;
// callers arriving while a sync runs wait for the one after it (the
// running one may have started too early to cover them). A failed sync
// fails every caller it was to cover (StagingIoError, or DiskFull, naming
// the volume): syncfs cannot say whose data was lost, so none of it counts
// as durable.
//
// Thread safety: wait_durable() from any number of threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"
#include "staging/posix_file.h"

namespace s5j::staging {

// syncfs(2) behind a function, so tests can count calls and inject errors:
// returns 0, or -1 with errno set.
using SyncFsFn = std::function<int(int fd)>;

class GroupSync {
 public:
  // Opens the directory `volume`; its filesystem is what gets synced.
  static Result<std::unique_ptr<GroupSync>> open(const std::string& volume, SyncFsFn sync_fs = {});
  GroupSync(const GroupSync&) = delete;
  GroupSync& operator=(const GroupSync&) = delete;

  Status wait_durable();

  // Callers inside wait_durable() now, the leader included; for tests.
  size_t waiting() const;

 private:
  // One sync and the callers it covers.
  struct Round {
    bool done = false;
    std::optional<Error> error;
  };

  GroupSync(std::string volume, UniqueFd fd, SyncFsFn sync_fs);

  const std::string volume_;
  const UniqueFd fd_;
  const SyncFsFn sync_fs_;

  mutable std::mutex mutex_;
  std::condition_variable done_;
  bool running_ = false;                                     // guarded by mutex_
  std::shared_ptr<Round> next_ = std::make_shared<Round>();  // guarded by mutex_: not started yet
  size_t waiting_ = 0;                                       // guarded by mutex_
};

}  // namespace s5j::staging
