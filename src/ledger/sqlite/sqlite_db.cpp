#include "ledger/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include <utility>

#include "ledger/ledger_error.h"

namespace s5j::ledger::sqlite {

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

// Bind errors can only be programming errors (bad index, out of memory);
// they resurface as the step() error, so binding stays chainable.
Statement& Statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Statement& Statement::bind_text(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data() == nullptr ? "" : v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind_blob(int i, std::string_view bytes) {
  // A null pointer would bind SQL NULL; keys compare as BLOBs, so an empty
  // key must stay a zero-length BLOB.
  sqlite3_bind_blob64(stmt_, i, bytes.data() == nullptr ? "" : bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int i, std::span<const unsigned char> bytes) {
  return bind_blob(i, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const Error e = db_->error(rc, sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  return std::unexpected(e);
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return std::unexpected(r.error());
    if (!*r) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
bool Statement::is_blob(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_BLOB; }
int64_t Statement::get_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::get_text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Statement::get_blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, bool create,
                                                 std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  if (create) {
    // SQLite would create the file 0644 (less the umask), and its -wal and
    // -shm files take the database file's mode: a new ledger, which names
    // every key and ETag of the job, is made readable by its owner only.
    // An empty file is a valid empty database. An existing file is left as
    // it is (O_EXCL).
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  // NOMUTEX: SqliteLedger serialises access itself.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return ledger_error(ErrorKind::fatal, kLedgerError,
                        "cannot open ledger " + path + ": " + msg +
                            (create ? "; check the directory exists and is writable"
                                    : "; no ledger there (run a job first, or check --ledger)"));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  return std::unique_ptr<Database>(new Database(path, db));
}

Database::~Database() {
  cache_.clear();  // statements must be finalised before the connection closes
  sqlite3_close(db_);
}

Status Database::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return std::unexpected(error(rc, sql));
  return {};
}

Result<StatementRef> Database::cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = prepare(sql);
    if (!st) return std::unexpected(st.error());
    it = cache_.emplace(sql, std::make_unique<Statement>(std::move(*st))).first;
  }
  return StatementRef(it->second.get());
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) return std::unexpected(error(rc, sql));
  return Statement(this, stmt);
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }
int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Error Database::error(int rc, std::string_view what) const {
  const int primary = rc & 0xFF;
  std::string detail = sqlite3_errmsg(db_);
  if (what.size() > 80) what = what.substr(0, 80);
  Error e;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    e.kind = ErrorKind::retryable;
    e.code = kLedgerBusy;
    e.message = "ledger " + path_ + " is busy (another process holds it): " + detail +
                "; try again when it is done (s5j status shows the run holding the job)";
    return e;
  }
  e.kind = ErrorKind::fatal;
  e.code = kLedgerError;
  std::string fix;
  if (primary == SQLITE_NOTADB) {
    fix = "; this file is not a ledger: point --ledger at the right file or move this one away";
  } else if (primary == SQLITE_FULL) {
    fix = "; the disk is full: free space and run again (committed progress is kept)";
  } else if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    fix = "; check the disk and permissions of the file and its directory";
  } else if (primary == SQLITE_CORRUPT) {
    fix = "; the file is damaged: restore it from a copy or start a new ledger";
  }
  e.message = "ledger " + path_ + ": " + detail + " (" + std::string(what) + ")" + fix;
  return e;
}

Result<WriteTransaction> WriteTransaction::begin(Database& db) {
  if (auto st = db.exec("BEGIN IMMEDIATE"); !st) return std::unexpected(st.error());
  return WriteTransaction(&db);
}

WriteTransaction::~WriteTransaction() {
  if (db_ != nullptr && db_->in_transaction()) (void)db_->exec("ROLLBACK");
}

Status WriteTransaction::commit() {
  auto st = db_->exec("COMMIT");
  if (st) db_ = nullptr;
  return st;
}

std::string library_version() { return sqlite3_libversion(); }

}  // namespace s5j::ledger::sqlite
