// WorkerPool: a fixed set of threads running submitted tasks strictly in
// submission order (FIFO). Parts of large objects run here; FIFO order is
// what keeps in-order hashing free of deadlock (a part's predecessor was
// always dequeued first).
//
// Thread safety: submit() from any thread. The destructor finishes every
// queued task, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace s5j::transfer {

// Parts of large objects in flight over all objects of a leg, at most: a
// streamed part holds its buffer plus libcurl's (about 1.3 MiB), a hashed
// one a whole part, so more part threads than this raise peak memory
// without moving bytes faster once a few large objects stream at once
// (docs/performance.md, issue #22). Objects in flight (transfer.workers)
// are not bounded by it.
inline constexpr int kMaxPartThreads = 16;

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> task);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool closing_ = false;                     // guarded by mutex_
  std::vector<std::thread> threads_;
};

// Counts tasks of one batch still running; wait() returns when all ended.
class TaskGroup {
 public:
  void add() {
    std::lock_guard lock(mutex_);
    ++running_;
  }
  void done() {
    std::lock_guard lock(mutex_);
    if (--running_ == 0) ended_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    ended_.wait(lock, [&] { return running_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable ended_;
  size_t running_ = 0;  // guarded by mutex_
};

}  // namespace s5j::transfer
