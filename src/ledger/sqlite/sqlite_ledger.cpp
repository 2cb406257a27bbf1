// SqliteLedger: opening, jobs, reads and status. Writes are in
// sqlite_ledger_writes.cpp, claims/locks/runs in sqlite_ledger_claims.cpp,
// uploads in sqlite_ledger_uploads.cpp.
#include "ledger/sqlite/sqlite_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_rows.h"
#include "ledger/sqlite/sqlite_schema.h"

namespace s5j::ledger {

using sqlite::Database;
using sqlite::from_ms;
using sqlite::read_object;
using sqlite::WriteTransaction;

namespace {

// A new file's directory entry must be durable too, or a power cut could
// lose the whole ledger although its first commit was reported done.
void sync_parent_directory(const std::string& path) {
  const auto dir = std::filesystem::absolute(path).parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

Result<std::string> pragma_text(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return *row ? st->get_text(0) : std::string();
}

JobRecord read_job(const sqlite::Statement& st) {
  JobRecord j;
  j.id = JobId{st.get_int(0)};
  j.name = st.get_text(1);
  j.mode = parse_job_mode(st.get_text(2)).value_or(JobMode::direct);
  j.created_at = from_ms(st.get_int(3));
  return j;
}

}  // namespace

SqliteLedger::SqliteLedger(SqliteLedgerOptions options, std::unique_ptr<Database> db)
    : options_(std::move(options)) {
  state_.db = std::move(db);
}

SqliteLedger::~SqliteLedger() = default;

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open(SqliteLedgerOptions options) {
  if (options.path.empty()) {
    return ledger_error(ErrorKind::fatal, kLedgerError, "no ledger path given; set ledger.path in the job config");
  }
  if (options.clock == nullptr) options.clock = &SystemClock::instance();
  // Asked once: an attempt that created the file and then met BUSY leaves
  // it behind, and the retry must still make its directory entry durable.
  std::error_code ec;
  const bool existed = std::filesystem::exists(options.path, ec);
  const auto until = std::chrono::steady_clock::now() + options.busy_timeout;
  for (;;) {
    auto opened = open_once(options, existed);
    if (opened || opened.error().code != kLedgerBusy || std::chrono::steady_clock::now() >= until) return opened;
    // The other process's open takes milliseconds; a short pause, then again.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open_once(const SqliteLedgerOptions& options, bool existed) {
  auto opened = Database::open(options.path, options.create_if_missing, options.busy_timeout);
  if (!opened) return std::unexpected(opened.error());
  Database& db = **opened;

  // Order matters: the check is read-only, so another program's file is
  // refused before anything is written to it; journal_mode cannot change
  // inside a transaction, so WAL is set before migrating.
  if (auto st = sqlite::check_ledger_file(db); !st) return std::unexpected(st.error());
  auto mode = pragma_text(db, "PRAGMA journal_mode=WAL");
  if (!mode) return std::unexpected(mode.error());
  if (mode->size() != 3 || (*mode)[0] != 'w') {
    return ledger_error(ErrorKind::fatal, kLedgerError,
                        "ledger " + options.path + " cannot use write-ahead logging (journal mode '" + *mode +
                            "'); put the ledger on a local filesystem");
  }
  // FULL: in WAL mode the log is fsynced at every commit, so a commit that
  // returned survives power loss (NORMAL would only protect against crashes
  // of the process). foreign_keys guards the references between tables.
  if (auto st = db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"); !st) return std::unexpected(st.error());
  if (auto st = sqlite::migrate(db, options.schema_version); !st) return std::unexpected(st.error());
  if (!existed) sync_parent_directory(options.path);
  return std::unique_ptr<SqliteLedger>(new SqliteLedger(options, std::move(*opened)));
}

Result<std::string> SqliteLedger::pragma(std::string_view name) {
  std::lock_guard lock(db_mu_);
  return pragma_text(*state_.db, "PRAGMA " + std::string(name));
}

int64_t SqliteLedger::now_ms() const { return sqlite::to_ms(options_.clock->now()); }

// ---- Jobs ----

Result<std::optional<JobRecord>> SqliteLedger::find_job_locked(std::string_view name) {
  auto st = state_.db->cached("SELECT id, name, mode, created_at FROM jobs WHERE name = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, name);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<JobRecord>();
  return std::optional<JobRecord>(read_job(**st));
}

Result<JobRecord> SqliteLedger::open_job(std::string_view name, JobMode mode) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  auto found = find_job_locked(name);
  if (!found) return std::unexpected(found.error());
  JobRecord job;
  if (*found) {
    job = **found;
    if (job.mode != mode) {
      return ledger_error(ErrorKind::permanent, kLedgerConflict,
                          "job '" + std::string(name) + "' in " + options_.path + " is a " +
                              std::string(to_string(job.mode)) + " job, not " + std::string(to_string(mode)) +
                              "; use another job name or reset it");
    }
  } else {
    auto ins = state_.db->cached("INSERT INTO jobs(name, mode, created_at) VALUES (?1, ?2, ?3)");
    if (!ins) return std::unexpected(ins.error());
    const int64_t now = now_ms();
    if (auto st = (*ins)->bind_text(1, name).bind_text(2, to_string(mode)).bind(3, now).run(); !st) {
      return std::unexpected(st.error());
    }
    job = JobRecord{JobId{state_.db->last_insert_rowid()}, std::string(name), mode, from_ms(now)};
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  std::lock_guard modes(modes_mu_);
  job_modes_[job.id.value] = job.mode;
  return job;
}

Result<std::optional<JobRecord>> SqliteLedger::find_job(std::string_view name) {
  std::lock_guard lock(db_mu_);
  return find_job_locked(name);
}

Result<JobMode> SqliteLedger::job_mode(JobId job) {
  {
    std::lock_guard modes(modes_mu_);
    if (auto it = job_modes_.find(job.value); it != job_modes_.end()) return it->second;
  }
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("SELECT mode FROM jobs WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "no job with id " + std::to_string(job.value) + " in " + options_.path);
  }
  const JobMode mode = parse_job_mode((*st)->get_text(0)).value_or(JobMode::direct);
  std::lock_guard modes(modes_mu_);
  job_modes_[job.value] = mode;
  return mode;
}

Status SqliteLedger::reset_job(JobId job) {
  std::lock_guard lock(db_mu_);
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const std::string id = std::to_string(job.value);
  const std::string now = std::to_string(now_ms());
  // Uploads outlive their object rows: whatever is still open at the
  // destination stays listed (abandoned) until someone aborts it.
  const std::string sql =
      "UPDATE uploads SET status = 'abandoned', updated_at = " + now + " WHERE job_id = " + id +
      " AND status = 'active';"
      "UPDATE uploads SET object_id = NULL WHERE job_id = " + id + ";"
      "DELETE FROM parts WHERE upload_ref IN (SELECT id FROM uploads WHERE job_id = " + id +
      " AND status IN ('completed', 'aborted'));"
      "DELETE FROM objects WHERE job_id = " + id + ";";
  if (auto st = state_.db->exec(sql); !st) return st;
  return txn->commit();
}

// ---- Reads ----

Result<std::vector<ObjectRecord>> SqliteLedger::list_objects(JobId job, const ListQuery& query) {
  std::lock_guard lock(db_mu_);
  // Four literal variants so each is a cached prepared statement; all walk
  // the (job_id, key) unique index in key order.
  const char* sql = nullptr;
  if (query.after_key && query.state) {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND key > ?2 AND state = ?3 "
          "ORDER BY key LIMIT ?4";
  } else if (query.after_key) {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND key > ?2 ORDER BY key LIMIT ?4";
  } else if (query.state) {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND state = ?3 ORDER BY key LIMIT ?4";
  } else {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 ORDER BY key LIMIT ?4";
  }
  auto st = state_.db->cached(sql);
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  if (query.after_key) (*st)->bind_blob(2, *query.after_key);
  if (query.state) (*st)->bind_text(3, to_string(*query.state));
  (*st)->bind(4, static_cast<int64_t>(query.limit));
  std::vector<ObjectRecord> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_object(**st));
  }
}

Result<std::optional<ObjectRecord>> SqliteLedger::find_object(JobId job, std::string_view key) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND key = ?2");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value).bind_blob(2, key);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(read_object(**st));
}

Result<std::optional<ObjectRecord>> SqliteLedger::get_object_locked(ObjectId id) {
  auto st = state_.db->cached("SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, id.value);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(read_object(**st));
}

Result<std::optional<ObjectRecord>> SqliteLedger::get_object(ObjectId id) {
  std::lock_guard lock(db_mu_);
  return get_object_locked(id);
}

// ---- Status ----

Result<std::vector<StateTotals>> SqliteLedger::totals(JobId job) {
  auto mode = job_mode(job);
  if (!mode) return std::unexpected(mode.error());
  std::vector<StateTotals> out;
  for (ObjectState s : states_of(*mode)) out.push_back(StateTotals{s, 0, 0});
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "SELECT state, count(*), coalesce(sum(size), 0) FROM objects WHERE job_id = ?1 GROUP BY state");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    const auto state = parse_object_state((*st)->get_text(0));
    for (StateTotals& t : out) {
      if (state && t.state == *state) {
        t.objects = static_cast<uint64_t>((*st)->get_int(1));
        t.bytes = static_cast<uint64_t>((*st)->get_int(2));
      }
    }
  }
}

Result<std::vector<ErrorEntry>> SqliteLedger::recent_errors(JobId job, size_t limit) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "SELECT id, key, state, attempts, last_error, error_at FROM objects "
      "WHERE job_id = ?1 AND error_at IS NOT NULL ORDER BY error_at DESC, id DESC LIMIT ?2");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value).bind(2, static_cast<int64_t>(limit));
  std::vector<ErrorEntry> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    ErrorEntry e;
    e.id = ObjectId{(*st)->get_int(0)};
    e.key = (*st)->get_blob(1);
    e.state = parse_object_state((*st)->get_text(2)).value_or(ObjectState::failed);
    e.attempts = static_cast<uint32_t>((*st)->get_int(3));
    e.error = (*st)->get_text(4);
    e.at = from_ms((*st)->get_int(5));
    out.push_back(std::move(e));
  }
}

}  // namespace s5j::ledger
