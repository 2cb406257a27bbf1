// PartsRun: what the parts of one multipart upload share while they move in
// parallel on the part pool (MultipartUploader::upload_parts and
// stream_parts): each part's digest, the first error (which stops the rest),
// the byte counters and the group the caller waits on.
//
// Thread safety: every member may be used from the part workers at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "base/error.h"
#include "transfer/multipart_uploader.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

class PartsRun {
 public:
  explicit PartsRun(uint32_t part_count) : results(part_count) {}

  std::vector<PartDigest> results;  // by part number - 1; each written by its part's worker only
  std::atomic<bool> failed{false};
  std::atomic<bool> upload_gone{false};  // a resumed upload answered NoSuchUpload
  std::atomic<uint64_t> uploaded{0};
  std::atomic<uint64_t> read{0};
  TaskGroup group;

  // Held by a part's task while it runs: the group hears it ended however
  // the task returns.
  struct PartDone {
    PartsRun& run;
    ~PartDone() { run.group.done(); }
  };

  // Keeps the first error; the parts not yet started see `failed` and stop.
  void fail(Error error) {
    {
      std::lock_guard lock(mutex_);
      if (!first_error_) first_error_ = std::move(error);
    }
    failed = true;
  }

  // After group.wait(): the outcome the caller returns (whole_md5 aside).
  PartsOutcome outcome() {
    PartsOutcome out;
    out.uploaded = uploaded;
    out.read = read;
    {
      std::lock_guard lock(mutex_);
      out.error = first_error_;
    }
    out.parts = std::move(results);
    out.upload_gone = upload_gone;
    return out;
  }

 private:
  std::mutex mutex_;
  std::optional<Error> first_error_;  // guarded by mutex_
};

}  // namespace s5j::transfer
