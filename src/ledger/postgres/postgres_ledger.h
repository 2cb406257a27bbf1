// PostgresLedger: the Ledger backend for several hosts on one job
// (ledger.postgres_url). One PostgreSQL database holds the same tables as
// the SQLite ledger (pg_schema.h); keys are bytea, so they order bytewise
// as S3 lists them. cooperative() is true: runs of one job on several
// hosts work together under shared job locks.
//
// Durability: every call that writes commits its own transaction before it
// returns (the server's synchronous_commit decides what "durable" means;
// keep it on, the default). flush() commits the whole queue in one
// transaction with a handful of statements whatever its size: the rows it
// touches are read and locked at once (SELECT ... FOR UPDATE), every
// operation is checked in memory in queue order, and the final rows are
// written back with one UPDATE over unnest() arrays.
//
// Claims: SELECT ... FOR UPDATE SKIP LOCKED in batches, so workers on many
// hosts claim at once without waiting for each other; every claim moves
// the record's fencing epoch. Lease times come from the Clock given; when
// it is the system clock, open() measures the offset between this host's
// clock and the server's (now()) and adds it to every lease time, so hosts
// whose clocks disagree still agree on when a lease expires.
//
// Connection loss (server restarted or unreachable): the call fails with
// retryable LedgerUnavailable and the next call reconnects by itself; a
// failed flush keeps its batch queued, so the caller may flush again.
//
// Thread safety: every method is thread-safe. One connection, serialised
// by a mutex: a flush, a claim and a lock are each a few round trips, and
// the work of one process is dominated by its group commit, which is one
// transaction anyway; hosts scale out with their own connections.
// Queued operations live in memory until flush(); the destructor does not
// flush (an unflushed queue is lost exactly as in a crash).
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
#include "ledger/postgres/pg_connection.h"

namespace s5j::ledger {

namespace pg {
class TotalsDelta;
struct ObjectRow;
}  // namespace pg

struct PostgresLedgerOptions {
  // postgresql://user[:password]@host[:port]/database[?option=value...],
  // given to libpq as is (sslmode, connect_timeout, options, ...).
  std::string url;
  const Clock* clock = &SystemClock::instance();  // leases, timestamps; not owned
  // queue*() flushes by itself once this many operations wait; 0 never does.
  size_t auto_flush_at = 20'000;
};

class PostgresLedger final : public Ledger {
 public:
  // Connects and applies missing migrations (one transaction under an
  // advisory lock, so hosts opening at once do not race). LedgerError for
  // a refused login or a database of a newer schema; LedgerUnavailable
  // when the server cannot be reached.
  static Result<std::unique_ptr<PostgresLedger>> open(PostgresLedgerOptions options);
  ~PostgresLedger() override;

  // The URL without its password.
  std::string location() const override { return location_; }
  bool cooperative() const override { return true; }
  // The server's clock minus this host's, as measured at open and added
  // to every time this ledger writes (0 with an injected clock).
  std::chrono::milliseconds clock_offset() const { return std::chrono::milliseconds(offset_ms_); }

  // JobControl: postgres_ledger_jobs.cpp, postgres_ledger_locks.cpp.
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

  // ObjectCatalog: postgres_ledger_catalog.cpp, postgres_ledger_planning.cpp.
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

  // ObjectClaims: postgres_ledger_claims.cpp.
  Result<std::vector<ObjectRecord>> claim(const ClaimRequest& request) override;
  Result<std::vector<ObjectId>> renew(std::span<const ObjectId> ids, std::string_view owner,
                                      std::chrono::milliseconds lease) override;
  Status release(std::span<const ObjectId> ids, std::string_view owner) override;
  Result<uint64_t> release_leases_in(JobId job, std::span<const ObjectState> states) override;

  // TransitionQueue: postgres_ledger_writes.cpp, postgres_ledger_uploads.cpp.
  Status queue(Transition transition) override;
  Status queue_part(UploadRef upload, PartRecord part) override;
  Status queue_upload_end(UploadRef upload, UploadStatus status) override;
  Result<FlushReport> flush() override;
  size_t queued() const override;
  Result<UploadRef> begin_upload(const UploadStart& start) override;
  Result<std::optional<UploadProgress>> active_upload(ObjectId object) override;
  Result<std::vector<UploadRecord>> open_uploads(std::optional<JobId> job) override;

  // ListingRanges: postgres_ledger_listing.cpp.
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
  struct PartOp {
    UploadRef upload;
    PartRecord part;
  };
  struct UploadEndOp {
    UploadRef upload;
    UploadStatus status;
  };
  using QueuedOp = std::variant<Transition, PartOp, UploadEndOp>;

  PostgresLedger(PostgresLedgerOptions options, std::string location, std::string password,
                 std::unique_ptr<pg::Connection> conn, int64_t offset_ms);

  int64_t now_ms() const;
  Status enqueue(QueuedOp op);
  Result<JobMode> job_mode(JobId job);
  // The job's rows of object_totals, as stored (any order, zeros included).
  Result<std::vector<SizeClassTotals>> size_class_rows(JobId job);

  // Callers hold db_mu_. The connection, reconnected when it was lost.
  Result<pg::Connection*> conn_locked();
  Status upsert_listed_locked(pg::Connection& c, JobId job, std::span<const ListedObject> objects, int64_t now,
                              UpsertStats& stats, pg::TotalsDelta& totals);
  Result<std::optional<ListingRange>> get_range_locked(pg::Connection& c, RangeId range, bool for_update);
  Result<RangePageCommit> commit_range_page_locked(pg::Connection& c, const RangePage& page, int64_t now,
                                                   std::chrono::milliseconds lease, pg::TotalsDelta& totals);
  Result<FlushReport> flush_locked(bool hand_over_rejections);
  Status apply_batch_locked(pg::Connection& c, const std::vector<QueuedOp>& ops, int64_t now,
                            std::vector<Rejection>& rejected);
  Result<std::optional<ObjectRecord>> get_object_locked(pg::Connection& c, ObjectId id);

  const PostgresLedgerOptions options_;
  const std::string location_;
  const std::string password_;  // scrubbed from messages; never shown
  const int64_t offset_ms_;     // server clock minus this host's, added to now

  mutable std::mutex db_mu_;  // taken before queue_mu_ / modes_mu_ when both are needed
  std::unique_ptr<pg::Connection> conn_;  // guarded by db_mu_; null or broken: reconnect
  std::vector<Rejection> rejected_;       // guarded by db_mu_; until flush() returns them
  mutable std::mutex queue_mu_;
  std::vector<QueuedOp> ops_;  // guarded by queue_mu_
  mutable std::mutex modes_mu_;
  std::map<int64_t, JobMode> job_modes_;  // guarded by modes_mu_; a job's mode never changes
};

// The URL as libpq reads it, rebuilt without the password (for messages
// and location()); and the password, when the URL carries one. Fails with
// LedgerError naming what libpq could not parse (never the password).
struct PostgresUrl {
  std::string redacted;
  std::string password;
};
Result<PostgresUrl> parse_postgres_url(const std::string& url);

// libpq's version, e.g. "15.18", for `s5j --version`.
std::string libpq_version();

}  // namespace s5j::ledger
