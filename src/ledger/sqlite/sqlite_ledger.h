// SqliteLedger: the embedded, default Ledger backend. One SQLite file in WAL
// mode with synchronous=FULL, so a commit that returned has reached the disk
// (the WAL is fsynced at every commit) and survives power loss.
//
// Several SqliteLedger instances, in one process or several on one host,
// may share a file: writes take the write lock up front (BEGIN IMMEDIATE)
// and wait up to busy_timeout for it; claims and leases keep their work
// disjoint. The file must be on a local filesystem (WAL needs shared memory
// that network filesystems do not provide).
//
// Thread safety: all methods are thread-safe; one connection serialised by
// an internal mutex. Queued operations live in memory until flush(); the
// destructor does not flush (an unflushed queue is lost exactly as in a
// crash, which the ledger's users must tolerate anyway).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "ledger/sqlite/object_totals.h"
#include "ledger/sqlite/sqlite_db.h"

namespace s5j::ledger {

struct SqliteLedgerOptions {
  std::string path;
  const Clock* clock = &SystemClock::instance();  // leases, timestamps; not owned
  bool create_if_missing = true;
  std::chrono::milliseconds busy_timeout{30'000};
  // queue*() flushes by itself once this many operations wait (bounds
  // memory and the size of one transaction); 0 never does.
  size_t auto_flush_at = 20'000;
  // Schema version to migrate to; 0 = latest. Tests use older versions to
  // build files as older releases left them.
  int schema_version = 0;
};

class SqliteLedger final : public Ledger {
 public:
  // Opens or creates the ledger file: checks it is a ledger, sets WAL and
  // synchronous=FULL, applies migrations. Fails with LedgerError naming the
  // file when it is not a ledger, too new, or unusable.
  // Two processes opening one ledger at the same moment (a run starting
  // while `s5j status` looks at it) can meet in SQLite's lock upgrade while
  // the file is put in WAL mode; SQLite then answers BUSY at once instead of
  // waiting, so open() tries again until busy_timeout has passed.
  static Result<std::unique_ptr<SqliteLedger>> open(SqliteLedgerOptions options);
  ~SqliteLedger() override;

  // The value of a PRAGMA on this connection (diagnostics, tests).
  Result<std::string> pragma(std::string_view name);

  std::string location() const override { return options_.path; }

  // JobControl: sqlite_ledger_jobs.cpp (jobs, runs), sqlite_ledger_locks.cpp.
  Result<JobRecord> open_job(std::string_view name, JobMode mode) override;
  Result<std::optional<JobRecord>> find_job(std::string_view name) override;
  Status reset_job(JobId job) override;
  Result<RunId> begin_run(JobId job, const RunStart& start) override;
  Status end_run(RunId run, std::string_view outcome, int exit_code) override;
  Result<std::vector<RunRecord>> runs(JobId job, size_t limit) override;
  Result<LockOutcome> acquire_job_lock(JobId job, const LockRequest& request) override;
  Status release_job_lock(JobId job, std::string_view owner) override;
  Result<std::vector<LockHolder>> job_lock_holders(JobId job) override;
  Result<bool> set_run_activity(JobId job, std::string_view owner, const RunActivity& activity) override;
  Result<bool> set_run_figures(JobId job, std::string_view owner, std::string_view figures) override;
  Status break_job_lock(JobId job, std::string_view owner) override;

  // ObjectCatalog: sqlite_ledger_catalog.cpp (reads, status),
  // sqlite_ledger_planning.cpp (upsert, requeue), sqlite_ledger_reopen.cpp.
  Result<UpsertStats> upsert_listed(JobId job, std::span<const ListedObject> objects) override;
  Result<std::vector<ObjectRecord>> list_objects(JobId job, const ListQuery& query) override;
  Result<std::optional<ObjectRecord>> find_object(JobId job, std::string_view key) override;
  Result<std::optional<ObjectRecord>> get_object(ObjectId id) override;
  Result<std::vector<ObjectId>> reopen_verified(JobId job, std::span<const ReopenRequest> requests) override;
  Result<uint64_t> requeue_failed(JobId job) override;
  Result<uint64_t> unstage_absent_hosts(JobId job, std::span<const std::string> present_hosts) override;
  Result<std::vector<StateTotals>> totals(JobId job) override;
  Result<std::vector<SizeClassTotals>> totals_by_size_class(JobId job) override;
  Result<std::vector<ErrorEntry>> recent_errors(JobId job, size_t limit) override;

  // ObjectClaims: sqlite_ledger_claims.cpp.
  Result<std::vector<ObjectRecord>> claim(const ClaimRequest& request) override;
  Result<std::vector<ObjectId>> renew(std::span<const ObjectId> ids, std::string_view owner,
                                      std::chrono::milliseconds lease) override;
  Status release(std::span<const ObjectId> ids, std::string_view owner) override;
  Result<uint64_t> release_leases_in(JobId job, std::span<const ObjectState> states) override;

  // TransitionQueue: sqlite_ledger_writes.cpp (queue, flush),
  // sqlite_ledger_uploads.cpp.
  Status queue(Transition transition) override;
  Status queue_part(UploadRef upload, PartRecord part) override;
  Status queue_upload_end(UploadRef upload, UploadStatus status) override;
  Result<FlushReport> flush() override;
  size_t queued() const override;
  Result<UploadRef> begin_upload(const UploadStart& start) override;
  Result<std::optional<UploadProgress>> active_upload(ObjectId object) override;
  Result<std::vector<UploadRecord>> open_uploads(std::optional<JobId> job) override;

  // ListingRanges: sqlite_ledger_listing.cpp.
  Result<ListingRecord> open_listing(JobId job, std::string_view scope) override;
  Result<std::vector<ListingRange>> listing_ranges(ListingId listing) override;
  Result<std::optional<ListingRange>> split_range(RangeId range, std::string_view at) override;
  Result<std::optional<ListingRange>> claim_range(ListingId listing, std::string_view owner,
                                                  std::chrono::milliseconds lease) override;
  Status release_ranges(ListingId listing) override;
  Result<std::vector<RangePageCommit>> commit_range_pages(std::span<const RangePage> pages,
                                                          std::chrono::milliseconds lease) override;
  Status finish_listing(ListingId listing) override;

 private:
  // One attempt of open(); `existed`: the file was there before the first.
  static Result<std::unique_ptr<SqliteLedger>> open_once(const SqliteLedgerOptions& options, bool existed);
  struct PartOp {
    UploadRef upload;
    PartRecord part;
  };
  struct UploadEndOp {
    UploadRef upload;
    UploadStatus status;
  };
  using QueuedOp = std::variant<Transition, PartOp, UploadEndOp>;

  // Guarded by db_mu_.
  struct DbState {
    std::unique_ptr<sqlite::Database> db;
    std::vector<Rejection> rejected;  // accumulated until flush() returns them
  };
  // Guarded by queue_mu_.
  struct QueueState {
    std::vector<QueuedOp> ops;
  };

  SqliteLedger(SqliteLedgerOptions options, std::unique_ptr<sqlite::Database> db);

  int64_t now_ms() const;
  Status enqueue(QueuedOp op);
  Result<JobMode> job_mode(JobId job);
  // The job's rows of object_totals, as stored (any order, zeros included).
  Result<std::vector<SizeClassTotals>> size_class_rows(JobId job);

  // Callers hold db_mu_.
  // upsert_listed's merge, inside the caller's write transaction.
  Status upsert_listed_locked(JobId job, std::span<const ListedObject> objects, int64_t now, UpsertStats& stats);
  Result<std::optional<ListingRange>> get_range_locked(RangeId range);
  Result<RangePageCommit> commit_range_page_locked(const RangePage& page, int64_t now, std::chrono::milliseconds lease);
  Result<FlushReport> flush_locked(bool hand_over_rejections);
  Result<std::optional<Rejection>> apply_locked(const QueuedOp& op, int64_t now, sqlite::ObjectTotalsDelta& totals);
  Result<std::optional<Rejection>> apply_transition_locked(const Transition& t, int64_t now,
                                                           sqlite::ObjectTotalsDelta& totals);
  Result<std::optional<Rejection>> apply_part_locked(const PartOp& op, int64_t now);
  Result<std::optional<Rejection>> apply_upload_end_locked(const UploadEndOp& op, int64_t now);
  Result<std::optional<JobRecord>> find_job_locked(std::string_view name);
  Result<std::optional<ObjectRecord>> get_object_locked(ObjectId id);
  Result<std::vector<ObjectRecord>> claim_state_locked(const ClaimRequest& r, ObjectState state, size_t max,
                                                       int64_t now);

  const SqliteLedgerOptions options_;

  mutable std::mutex db_mu_;  // taken before queue_mu_ / modes_mu_ when both are needed
  DbState state_;
  mutable std::mutex queue_mu_;
  QueueState queue_;
  mutable std::mutex modes_mu_;
  std::map<int64_t, JobMode> job_modes_;  // guarded by modes_mu_; a job's mode never changes
};

}  // namespace s5j::ledger
