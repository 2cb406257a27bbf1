// Ledger: the durable record of every object through every stage of a job.
//
// The transfer engine talks only to this interface; backends (SQLite now,
// PostgreSQL later) live under src/ledger/<backend>/ and are chosen by
// open_ledger(). Every backend passes tests/unit/ledger/ledger_conformance.h.
//
// Durability: a call that returns success has committed what it wrote so it
// survives power loss, except queue*(), which only buffer; flush() commits
// every operation queued (by any thread) before it was called, in one
// transaction, and its success means they are durable. Reads see committed
// state only (flush first to read your own queued writes).
//
// Concurrency: every method is thread-safe. Several Ledger instances (threads,
// processes, and for shared backends machines) may work on one store; claims
// with leases keep them from working on the same object, and every queued
// transition is a compare-and-set checked at flush time.
//
// Failure: methods return Result/Status; codes in ledger/ledger_error.h.
// Illegal transitions fail at queue time; transitions whose precondition no
// longer holds at flush time are returned in FlushReport::rejected.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"
#include "ledger/transition.h"

namespace s5j::ledger {

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Where the ledger lives (file path, URL without password), for messages.
  virtual std::string location() const = 0;

  // ---- Jobs ----
  // Returns the job called `name`, creating it with `mode` if missing.
  // LedgerConflict when it exists with another mode.
  virtual Result<JobRecord> open_job(std::string_view name, JobMode mode) = 0;
  virtual Result<std::optional<JobRecord>> find_job(std::string_view name) = 0;
  // Forgets every object and part record of the job (runs are kept). Active
  // multipart uploads become `abandoned` and stay listed by open_uploads() so
  // they can still be aborted. Queued writes for the job are flushed first.
  virtual Status reset_job(JobId job) = 0;

  // ---- Planning ----
  // Merges one page of a source listing: new keys are inserted pending;
  // keys whose size or ETag differ go back to pending with their checksums,
  // staged copy, error and attempts cleared (their active uploads become
  // abandoned); vanished keys listed again go back to pending; everything
  // else (a verified unchanged object above all) is left alone. One
  // transaction; durable on return.
  virtual Result<UpsertStats> upsert_listed(JobId job, std::span<const ListedObject> objects) = 0;
  // Records in key order (bytewise), strictly after query.after_key.
  virtual Result<std::vector<ObjectRecord>> list_objects(JobId job, const ListQuery& query) = 0;
  virtual Result<std::optional<ObjectRecord>> find_object(JobId job, std::string_view key) = 0;
  virtual Result<std::optional<ObjectRecord>> get_object(ObjectId id) = 0;

  // Puts verified records of the job back to `pending` (their destination
  // copy is missing or differs), each only while it is still exactly as the
  // request saw it (see ReopenRequest): a record that a concurrent run
  // re-listed or copied again meanwhile is left alone, so no job lock is
  // needed. Checksums, destination ETag and staged copy are cleared as for
  // a changed source object, attempts are kept, `reason` becomes
  // last_error; an active upload of the object becomes abandoned. One
  // transaction; durable on return. Returns the ids reopened.
  virtual Result<std::vector<ObjectId>> reopen_verified(JobId job, std::span<const ReopenRequest> requests) = 0;

  // ---- Claims and leases (time from the backend's clock) ----
  // Atomically leases up to request.max claimable records to request.owner:
  // records resting in request.from whose lease is absent or expired, and
  // active records of takeover_states() whose lease expired (their worker
  // died; the new owner resumes or restarts them). Returns them as leased.
  virtual Result<std::vector<ObjectRecord>> claim(const ClaimRequest& request) = 0;
  // Extends the leases `owner` still holds; returns the ids it no longer
  // holds (taken over or released), whose work the caller must stop.
  virtual Result<std::vector<ObjectId>> renew(std::span<const ObjectId> ids, std::string_view owner,
                                              std::chrono::milliseconds lease) = 0;
  // Drops `owner`'s leases on `ids` (state unchanged); others' are untouched.
  virtual Status release(std::span<const ObjectId> ids, std::string_view owner) = 0;
  // Drops every lease of the job; returns how many. Only for a process that
  // holds the job lock and knows no other worker runs (restart after crash).
  virtual Result<uint64_t> release_all_leases(JobId job) = 0;
  // Drops every lease of the job's records resting or active in `states`;
  // returns how many. For a restart that holds one role's lock (a stage run
  // releases pending/staging, a drain run staged/uploading) while another
  // role's run may be working on the other states.
  virtual Result<uint64_t> release_leases_in(JobId job, std::span<const ObjectState> states) = 0;
  // Puts every failed record of the job back in line for a new attempt
  // (staged jobs: to `staged` when a staged copy is recorded, which counts
  // the upload's retry as an attempt; else `pending`); returns how many.
  // Durable on return.
  virtual Result<uint64_t> requeue_failed(JobId job) = 0;

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

  // ---- Status ----
  // One entry per state of the job's mode (zeros included), pipeline order.
  virtual Result<std::vector<StateTotals>> totals(JobId job) = 0;
  // Most recent errors first.
  virtual Result<std::vector<ErrorEntry>> recent_errors(JobId job, size_t limit) = 0;

  // ---- Runs and the single-instance lock ----
  virtual Result<RunId> begin_run(JobId job, const RunStart& start) = 0;
  virtual Status end_run(RunId run, std::string_view outcome, int exit_code) = 0;
  // Newest first.
  virtual Result<std::vector<RunRecord>> runs(JobId job, size_t limit) = 0;
  // Takes the job's lock (the whole job, or request.roles; see LockRequest)
  // if nothing conflicting is held, or only expired or our own locks (ours
  // are renewed for request.ttl). When someone else holds a conflicting
  // lock, returns acquired=false and that holder (owner, pid, host, role)
  // for an "already running as pid N" message.
  virtual Result<LockOutcome> acquire_job_lock(JobId job, const LockRequest& request) = 0;
  // Releases every lock (all roles) `owner` holds on the job; no-op otherwise.
  virtual Status release_job_lock(JobId job, std::string_view owner) = 0;
  // A holder of a lock of the job (the whole-job lock first), if any.
  virtual Result<std::optional<LockHolder>> job_lock_holder(JobId job) = 0;
  // Every lock of the job, one entry per role held, ordered by role, each
  // with the activity its holder last published.
  virtual Result<std::vector<LockHolder>> job_lock_holders(JobId job) = 0;
  // Records what `owner` is doing now on every lock it holds on the job
  // (replacing what it published before); returns false (nothing written)
  // when it holds none. Renewing the lock keeps the activity. Meant to be
  // called when the activity changes, not per object. Durable on return.
  virtual Result<bool> set_run_activity(JobId job, std::string_view owner, const RunActivity& activity) = 0;
  // Removes every lock of the job whoever holds it (after the caller
  // established the holders are dead, e.g. their pids no longer exist).
  virtual Status break_job_lock(JobId job) = 0;
  // Removes the locks `owner` holds (a dead holder found by acquire), and
  // leaves other holders' locks alone.
  virtual Status break_job_lock(JobId job, std::string_view owner) = 0;
};

// Calls `fn` for every record of the job in key order, a page at a time
// (for `ledger export`). Stops at the first error from the ledger or `fn`.
Status for_each_object(Ledger& ledger, JobId job, const std::function<Status(const ObjectRecord&)>& fn,
                       size_t page_size = 1000);

}  // namespace s5j::ledger
