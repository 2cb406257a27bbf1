// Thin RAII layer over the SQLite C API for the SQLite ledger backend:
// a connection with a statement cache, statements, and an IMMEDIATE
// transaction guard. Internal to src/ledger/sqlite.
//
// Thread safety: none; SqliteLedger serialises all use of one Database.
// Failure: SQLITE_BUSY/LOCKED become retryable "LedgerBusy"; everything else
// fatal "LedgerError" naming the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace s5j::ledger::sqlite {

class Database;

// A prepared statement. Binding indexes are 1-based, columns 0-based.
class Statement {
 public:
  Statement(const Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int i, int64_t v);
  Statement& bind_text(int i, std::string_view v);
  Statement& bind_blob(int i, std::string_view bytes);  // empty -> zero-length blob, not NULL
  Statement& bind_blob(int i, std::span<const unsigned char> bytes);
  Statement& bind_null(int i);

  // true: a row is available; false: done.
  Result<bool> step();
  // Steps to completion (for statements returning no rows).
  Status run();
  // Back to the start, bindings cleared; ends any read the statement holds.
  void reset();

  bool is_null(int col) const;
  bool is_blob(int col) const;
  int64_t get_int(int col) const;
  std::string get_text(int col) const;
  std::string get_blob(int col) const;

 private:
  const Database* db_;
  sqlite3_stmt* stmt_;
};

// Resets a cached statement when it goes out of scope, so no statement is
// left mid-read holding an old snapshot open (which in WAL mode would also
// block checkpoints).
class StatementRef {
 public:
  explicit StatementRef(Statement* s) : s_(s) {}
  StatementRef(StatementRef&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  StatementRef& operator=(StatementRef&&) = delete;
  ~StatementRef() {
    if (s_ != nullptr) s_->reset();
  }
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

class Database {
 public:
  // Opens (creating when `create` and missing) the file. Does not yet read
  // it: SQLite opens lazily, so a non-database file fails at first use.
  static Result<std::unique_ptr<Database>> open(const std::string& path, bool create,
                                                std::chrono::milliseconds busy_timeout);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  Status exec(const std::string& sql);
  // A statement prepared once per connection, reset when the ref dies.
  // `sql` must be a string literal: the cache is keyed by its address.
  Result<StatementRef> cached(const char* sql);
  Result<Statement> prepare(std::string_view sql);
  int64_t changes() const;
  int64_t last_insert_rowid() const;
  bool in_transaction() const;

  // Error for SQLite result code `rc` while doing `what`.
  Error error(int rc, std::string_view what) const;

 private:
  Database(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_;
  std::map<const char*, std::unique_ptr<Statement>> cache_;  // keyed by literal address
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted.
// IMMEDIATE takes the write lock up front, so two processes never deadlock
// upgrading read transactions; waiting is bounded by the busy timeout.
class WriteTransaction {
 public:
  static Result<WriteTransaction> begin(Database& db);
  WriteTransaction(WriteTransaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  ~WriteTransaction();
  Status commit();

 private:
  explicit WriteTransaction(Database* db) : db_(db) {}
  Database* db_;
};

// The SQLite library's version as linked ("3.40.1").
std::string library_version();

}  // namespace s5j::ledger::sqlite
