// A small C++ face of libpq for the PostgreSQL ledger: one connection
// (Connection), the parameters of one statement (Params), its result rows
// (Rows) and array literals for unnest() (ArrayLiteral), so that a whole
// batch travels as a few parameters of one statement. Internal to the
// backend.
//
// Statements are prepared once per connection (cached by their text) and
// run with the extended protocol; parameters go as text, bytea as binary.
// Text parameters cannot hold NUL or invalid UTF-8 in PostgreSQL: Params
// replaces such bytes with '?' (they occur only in free-form text such as
// an error message; keys and other raw bytes are bytea).
//
// Failure: every error says "PostgreSQL ledger <location>: ..." and never
// holds the password (the URL's password is scrubbed from libpq's messages
// too). A lost connection (server restarted, network down) or a server
// that refuses new sessions is retryable LedgerUnavailable and marks the
// connection broken(); a serialization failure, deadlock or lock timeout
// is retryable LedgerBusy; anything else is LedgerError (fatal).
//
// A connection the server dropped while it was idle (a restart between two
// calls) is noticed only when it is used. A statement that cannot have
// changed anything yet — BEGIN, or a SELECT outside a transaction — is then
// tried once more on a new connection (PQreset), so a restart the ledger
// slept through costs no failed call; anything else fails as above, since
// it may have committed before the answer was lost.
//
// Thread safety: none; the ledger serialises use of a connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

struct pg_conn;
struct pg_result;

namespace s5j::ledger::pg {

class Params {
 public:
  Params& i64(int64_t v);
  Params& boolean(bool v);
  Params& text(std::string_view v);
  Params& bytea(std::string_view v);
  Params& opt_i64(const std::optional<int64_t>& v);
  Params& opt_text(const std::optional<std::string>& v);
  Params& opt_bytea(const std::optional<std::string>& v);
  // Array literals (ArrayLiteral::str()) for $n::bigint[], ::text[], ...
  Params& array(const std::string& literal);
  size_t size() const { return values_.size(); }

 private:
  friend class Connection;
  Params& add(std::string value, bool is_null, unsigned type, int format);
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<unsigned> types_;
  std::vector<int> formats_;
};

// The text form of a one-dimensional array, for a parameter cast to an
// array type: '{1,NULL,"a\"b","\\x00ff"}'.
class ArrayLiteral {
 public:
  ArrayLiteral& i64(int64_t v);
  ArrayLiteral& boolean(bool v);
  ArrayLiteral& text(std::string_view v);
  ArrayLiteral& bytea(std::string_view v);
  ArrayLiteral& null();
  ArrayLiteral& opt_i64(const std::optional<int64_t>& v) { return v ? i64(*v) : null(); }
  ArrayLiteral& opt_text(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
  ArrayLiteral& opt_bytea(const std::optional<std::string>& v) { return v ? bytea(*v) : null(); }
  std::string str() const { return body_ + "}"; }
  bool empty() const { return count_ == 0; }

 private:
  void next();
  std::string body_ = "{";
  size_t count_ = 0;
};

// The rows of one statement's result (text format).
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* res);
  Rows(Rows&&) noexcept;
  Rows& operator=(Rows&&) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  int64_t i64(int row, int col) const;
  bool boolean(int row, int col) const;
  std::string bytea(int row, int col) const;  // decoded from the hex text form
  // Rows an INSERT/UPDATE/DELETE touched.
  int64_t affected() const;

 private:
  pg_result* res_ = nullptr;
};

// One statement of a pipeline: SQL with parameters (prepared, as exec()),
// or, with `plain`, a parameterless command such as BEGIN or COMMIT.
struct Step {
  std::string sql;
  Params params;
  bool plain = false;
};

class Connection {
 public:
  // Connects with the URL as given (libpq reads its options, PGPASSWORD
  // and the pgpass file), with timeouts that notice a silent server
  // (connect_timeout 10 s, tcp_user_timeout 30 s, keepalives) unless the
  // URL sets its own. `location` is the URL without its password, for
  // messages; `password` (may be empty) is scrubbed from them.
  static Result<std::unique_ptr<Connection>> open(const std::string& url, const std::string& location,
                                                  const std::string& password);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters, prepared on first use.
  Result<Rows> exec(const std::string& sql, const Params& params = Params());
  // Statements without parameters (several separated by ';').
  Status script(const std::string& sql);
  // Several statements in one round trip (libpq's pipeline mode): the rows
  // of each, in order. The first failing statement fails the call and the
  // ones after it are not run; a transaction the steps opened is then in
  // the aborted state until the caller rolls it back. A pipeline opening
  // with BEGIN is sent again once on a connection the server dropped while
  // idle, as a lone BEGIN is.
  Result<std::vector<Rows>> pipeline(const std::vector<Step>& steps);
  // The connection is gone; the owner opens a new one.
  bool broken() const;
  // libpq's version number (e.g. 150018), for --version.
  static int library_version();

 private:
  Connection(pg_conn* conn, std::string location, std::string password);
  // Sends once; on a lost connection, and when `safe_to_repeat`, resets
  // the connection and sends once more.
  pg_result* run(const std::string& sql, const Params* params, bool safe_to_repeat);
  pg_result* send(const std::string& sql, const Params* params);
  // Prepares `sql` unless it is; its statement name, or the failed result.
  Result<std::string> prepare(const std::string& sql, const Params& params);
  Result<std::vector<Rows>> pipeline_once(const std::vector<Step>& steps);
  Error error_of(pg_result* res, std::string_view what) const;
  std::string scrub(std::string message) const;

  pg_conn* conn_;
  std::string location_;
  std::string password_;
  std::map<std::string, std::string> prepared_;  // SQL -> statement name
};

// An open transaction: BEGIN on start, ROLLBACK unless commit() was called
// (skipped when the connection is broken: the server rolls it back).
class Transaction {
 public:
  static Result<Transaction> begin(Connection& conn);
  // A transaction the caller opened itself (BEGIN in a pipeline).
  static Transaction adopt(Connection& conn) { return Transaction(conn); }
  // The caller committed it (COMMIT in a pipeline): nothing to roll back.
  void committed() { conn_ = nullptr; }
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection& conn) : conn_(&conn) {}
  Connection* conn_;
};

}  // namespace s5j::ledger::pg
