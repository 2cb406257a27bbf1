// TransitionQueue: the ledger's part that records a worker's progress on
// one object: transitions and multipart-upload progress, buffered and
// committed in groups (group commit), and the uploads recorded so far. One
// of the four parts of ledger::Ledger; the durability, concurrency and
// failure rules of ledger/ledger.h hold for every method here (queue*()
// only buffer; flush() makes them durable).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"
#include "ledger/transition.h"

namespace s5j::ledger {

class TransitionQueue {
 public:
  virtual ~TransitionQueue() = default;

  // ---- Writes, batched (group commit) ----
  // Buffers a transition. Fails at once with LedgerIllegalTransition when the
  // job's state machine forbids from -> to, LedgerNotFound for an unknown job.
  // May flush when the buffer is full (see backend options); a failure of
  // that flush is returned here and the buffered operations are kept.
  virtual Status queue(Transition transition) = 0;
  // Buffers a finished part of an upload (replaces a record of the same
  // part number).
  virtual Status queue_part(UploadRef upload, PartRecord part) = 0;
  // Buffers the end of an upload (completed or aborted). Queue `completed`
  // with the object's `verified` transition so both commit together.
  virtual Status queue_upload_end(UploadRef upload, UploadStatus status) = 0;
  // Commits everything queued before this call, durably. On failure nothing
  // of this batch is applied and the operations stay queued.
  virtual Result<FlushReport> flush() = 0;
  // Operations buffered and not yet committed.
  virtual size_t queued() const = 0;

  // ---- Multipart uploads ----
  // Records an upload id before any part is sent, durably (flushes the
  // queue too), so a crash can never leave an upload nobody knows about.
  virtual Result<UploadRef> begin_upload(const UploadStart& start) = 0;
  // The object's active upload with the parts recorded so far, if any.
  virtual Result<std::optional<UploadProgress>> active_upload(ObjectId object) = 0;
  // Uploads still open at the destination (active or abandoned), for resume
  // or cleanup; every job when `job` is nullopt.
  virtual Result<std::vector<UploadRecord>> open_uploads(std::optional<JobId> job) = 0;
};

}  // namespace s5j::ledger
