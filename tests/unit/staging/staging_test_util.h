// Helpers for the staging tests.
//
// FakeFsStats: a scriptable FsStatsFn, so a test decides how big and how
// full each volume's "disk" is, which volumes share one, and when one fills
// up or is freed. Thread-safe.
// code_of: the error code of a Result, or "<ok>" when it holds a value (so
// an unexpected success fails the assertion instead of reading error()).
#pragma once

#include <map>
#include <expected>
#include <mutex>
#include <string>

#include "staging/fs_stats.h"
#include "staging/staging_error.h"

namespace s5j::staging::testing {

class FakeFsStats {
 public:
  void set(const std::string& path, uint64_t total, uint64_t available, uint64_t device) {
    std::lock_guard lock(mutex_);
    stats_[path] = FsStats{total, available, device};
  }
  void set_available(const std::string& path, uint64_t available) {
    std::lock_guard lock(mutex_);
    stats_[path].available_bytes = available;
  }
  // The returned function refers to this object, which must outlive it.
  FsStatsFn fn() {
    return [this](const std::string& path) -> Result<FsStats> {
      std::lock_guard lock(mutex_);
      auto it = stats_.find(path);
      if (it == stats_.end()) return staging_error(ErrorKind::retryable, kStagingIoError, "no fake stats for " + path);
      return it->second;
    };
  }

 private:
  std::mutex mutex_;
  std::map<std::string, FsStats> stats_;  // guarded by mutex_
};

template <class R>
std::string code_of(const R& result) {
  return result.has_value() ? std::string("<ok>") : result.error().code;
}

}  // namespace s5j::staging::testing
