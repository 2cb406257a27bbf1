#include "ledger/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <utility>

#include "ledger/ledger_error.h"

namespace s5j::ledger::pg {
namespace {

constexpr unsigned kInt8Oid = 20;
constexpr unsigned kBoolOid = 16;
constexpr unsigned kTextOid = 25;
constexpr unsigned kByteaOid = 17;

// Valid UTF-8 without NUL, as PostgreSQL's text accepts; other bytes '?'.
std::string clean_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && c != 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) >> 6) == 0x2;
    if (ok && len == 2 && c < 0xC2) ok = false;  // overlong
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

std::string first_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

bool connection_lost_state(std::string_view sqlstate) {
  // 08: connection exception; 57P01..57P03: the server shuts down or
  // restarts; 53300: too many connections.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
         sqlstate == "53300";
}

}  // namespace

// ---- Params ----

Params& Params::add(std::string value, bool is_null, unsigned type, int format) {
  values_.push_back(std::move(value));
  nulls_.push_back(is_null);
  types_.push_back(type);
  formats_.push_back(format);
  return *this;
}
Params& Params::i64(int64_t v) { return add(std::to_string(v), false, kInt8Oid, 0); }
Params& Params::boolean(bool v) { return add(v ? "t" : "f", false, kBoolOid, 0); }
Params& Params::text(std::string_view v) { return add(clean_text(v), false, kTextOid, 0); }
Params& Params::bytea(std::string_view v) { return add(std::string(v), false, kByteaOid, 1); }
Params& Params::opt_i64(const std::optional<int64_t>& v) { return v ? i64(*v) : add({}, true, kInt8Oid, 0); }
Params& Params::opt_text(const std::optional<std::string>& v) { return v ? text(*v) : add({}, true, kTextOid, 0); }
Params& Params::opt_bytea(const std::optional<std::string>& v) { return v ? bytea(*v) : add({}, true, kByteaOid, 1); }
Params& Params::array(const std::string& literal) { return add(literal, false, 0, 0); }

// ---- ArrayLiteral ----

void ArrayLiteral::next() {
  if (count_++ > 0) body_.push_back(',');
}
ArrayLiteral& ArrayLiteral::i64(int64_t v) {
  next();
  body_ += std::to_string(v);
  return *this;
}
ArrayLiteral& ArrayLiteral::boolean(bool v) {
  next();
  body_ += v ? "t" : "f";
  return *this;
}
ArrayLiteral& ArrayLiteral::text(std::string_view v) {
  next();
  body_.push_back('"');
  for (char c : clean_text(v)) {
    if (c == '"' || c == '\\') body_.push_back('\\');
    body_.push_back(c);
  }
  body_.push_back('"');
  return *this;
}
ArrayLiteral& ArrayLiteral::bytea(std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  next();
  body_ += "\"\\\\x";  // "\\x...": the element's text is \x... (bytea hex)
  for (char c : v) {
    const auto b = static_cast<unsigned char>(c);
    body_.push_back(kHex[b >> 4]);
    body_.push_back(kHex[b & 0xF]);
  }
  body_.push_back('"');
  return *this;
}
ArrayLiteral& ArrayLiteral::null() {
  next();
  body_ += "NULL";
  return *this;
}

// ---- Rows ----

Rows::Rows(pg_result* res) : res_(res) {}
Rows::Rows(Rows&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}
Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (res_ != nullptr) PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}
Rows::~Rows() {
  if (res_ != nullptr) PQclear(res_);
}
int Rows::size() const { return res_ == nullptr ? 0 : PQntuples(res_); }
bool Rows::is_null(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(res_, row, col), static_cast<size_t>(PQgetlength(res_, row, col)));
}
int64_t Rows::i64(int row, int col) const {
  if (is_null(row, col)) return 0;
  return std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
}
bool Rows::boolean(int row, int col) const {
  const char* v = PQgetvalue(res_, row, col);
  return v != nullptr && v[0] == 't';
}
std::string Rows::bytea(int row, int col) const {
  const char* v = PQgetvalue(res_, row, col);
  const size_t len = static_cast<size_t>(PQgetlength(res_, row, col));
  std::string out;
  if (len < 2 || v[0] != '\\' || v[1] != 'x') return out;
  out.reserve((len - 2) / 2);
  for (size_t i = 2; i + 1 < len; i += 2) out.push_back(static_cast<char>(hex_value(v[i]) * 16 + hex_value(v[i + 1])));
  return out;
}
int64_t Rows::affected() const {
  const char* n = res_ == nullptr ? "" : PQcmdTuples(res_);
  return (n == nullptr || *n == '\0') ? 0 : std::strtoll(n, nullptr, 10);
}

// ---- Connection ----

Connection::Connection(pg_conn* conn, std::string location, std::string password)
    : conn_(conn), location_(std::move(location)), password_(std::move(password)) {}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

int Connection::library_version() { return PQlibVersion(); }

std::string Connection::scrub(std::string message) const {
  if (password_.empty()) return message;
  for (size_t at = message.find(password_); at != std::string::npos; at = message.find(password_, at)) {
    message.replace(at, password_.size(), "***");
    at += 3;
  }
  return message;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url, const std::string& location,
                                                     const std::string& password) {
  // Defaults for a ledger that must notice a server gone silent (a host
  // that lost power or network answers nothing): give up connecting after
  // 10 s, and on an open connection after 30 s without an acknowledgement
  // or 15 s + 3 x 5 s of silent keepalives. The URL's own values win: the
  // keywords before "dbname" are overridden by what the URL sets.
  const char* const keywords[] = {"connect_timeout", "tcp_user_timeout", "keepalives_idle", "keepalives_interval",
                                  "keepalives_count", "dbname", nullptr};
  const char* const values[] = {"10", "30000", "15", "5", "3", url.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) {
    return ledger_error(ErrorKind::retryable, kLedgerUnavailable,
                        "PostgreSQL ledger " + location + ": cannot allocate a connection");
  }
  std::unique_ptr<Connection> c(new Connection(conn, location, password));
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = c->scrub(first_line(PQerrorMessage(conn)));
    // A refused password or a missing database will not fix itself.
    const bool refused = why.find("authentication") != std::string::npos ||
                         why.find("does not exist") != std::string::npos ||
                         why.find("no password supplied") != std::string::npos ||
                         why.find("not permitted") != std::string::npos;
    return ledger_error(refused ? ErrorKind::fatal : ErrorKind::retryable, refused ? kLedgerError : kLedgerUnavailable,
                        "PostgreSQL ledger " + location + " cannot be reached: " + why +
                            (refused ? "; check ledger.postgres_url, PGPASSWORD or the pgpass file"
                                     : "; check that the server runs and is reachable"));
  }
  // Quiet: NOTICEs (e.g. "relation already exists, skipping") are not for users.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return c;
}

bool Connection::broken() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

Error Connection::error_of(pg_result* res, std::string_view what) const {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string why = first_line(res != nullptr ? PQresultErrorMessage(res) : "");
  if (why.empty()) why = first_line(PQerrorMessage(conn_));
  Error e;
  if (broken() || connection_lost_state(sqlstate)) {
    e.kind = ErrorKind::retryable;
    e.code = kLedgerUnavailable;
    why += "; the connection is lost (the next call reconnects)";
  } else if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    e.kind = ErrorKind::retryable;
    e.code = kLedgerBusy;
  } else if (sqlstate == "23503") {
    e.kind = ErrorKind::permanent;
    e.code = kLedgerNotFound;
  } else {
    e.kind = ErrorKind::fatal;
    e.code = kLedgerError;
  }
  e.message = scrub("PostgreSQL ledger " + location_ + ": " + std::string(what) + " failed: " + why +
                    (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
  return e;
}

pg_result* Connection::send(const std::string& sql, const Params* params) {
  if (params == nullptr) return PQexec(conn_, sql.c_str());
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "s5j_" + std::to_string(prepared_.size());
    pg_result* prep = PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params->types_.size()),
                                params->types_.data());
    if (prep == nullptr || PQresultStatus(prep) != PGRES_COMMAND_OK) return prep;
    PQclear(prep);
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values(params->values_.size());
  std::vector<int> lengths(params->values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = params->nulls_[i] ? nullptr : params->values_[i].data();
    lengths[i] = static_cast<int>(params->values_[i].size());
  }
  return PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()), values.data(), lengths.data(),
                        params->formats_.data(), 0);
}

pg_result* Connection::run(const std::string& sql, const Params* params, bool safe_to_repeat) {
  const bool idle = PQtransactionStatus(conn_) == PQTRANS_IDLE;
  pg_result* res = send(sql, params);
  const auto status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || !broken() || !safe_to_repeat || !idle) return res;
  // The server dropped us while we were idle: nothing of this statement
  // ran, so a new connection may send it again.
  if (res != nullptr) PQclear(res);
  PQreset(conn_);
  prepared_.clear();
  if (broken()) return nullptr;
  return send(sql, params);
}

Result<std::string> Connection::prepare(const std::string& sql, const Params& params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
  const std::string name = "s5j_" + std::to_string(prepared_.size());
  pg_result* prep =
      PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.types_.size()), params.types_.data());
  if (prep == nullptr || PQresultStatus(prep) != PGRES_COMMAND_OK) {
    Error e = error_of(prep, "preparing a statement");
    if (prep != nullptr) PQclear(prep);
    return std::unexpected(std::move(e));
  }
  PQclear(prep);
  prepared_.emplace(sql, name);
  return name;
}

Result<std::vector<Rows>> Connection::pipeline(const std::vector<Step>& steps) {
  if (broken()) return std::unexpected(error_of(nullptr, "a statement"));
  const bool idle = PQtransactionStatus(conn_) == PQTRANS_IDLE;
  auto out = pipeline_once(steps);
  if (out || !broken() || !idle || steps.empty() || steps.front().sql != "BEGIN") return out;
  // Dropped while idle (see run()): nothing of it ran; once more.
  PQreset(conn_);
  prepared_.clear();
  if (broken()) return out;
  return pipeline_once(steps);
}

Result<std::vector<Rows>> Connection::pipeline_once(const std::vector<Step>& steps) {
  // Statements are prepared before the pipeline starts (once per connection).
  std::vector<std::string> names(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].plain) continue;
    auto name = prepare(steps[i].sql, steps[i].params);
    if (!name) return std::unexpected(name.error());
    names[i] = *name;
  }
  if (PQenterPipelineMode(conn_) != 1) return std::unexpected(error_of(nullptr, "entering pipeline mode"));
  size_t sent = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    int ok = 0;
    if (step.plain) {
      ok = PQsendQueryParams(conn_, step.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
    } else {
      const Params& p = step.params;
      std::vector<const char*> values(p.values_.size());
      std::vector<int> lengths(p.values_.size());
      for (size_t k = 0; k < values.size(); ++k) {
        values[k] = p.nulls_[k] ? nullptr : p.values_[k].data();
        lengths[k] = static_cast<int>(p.values_[k].size());
      }
      ok = PQsendQueryPrepared(conn_, names[i].c_str(), static_cast<int>(values.size()), values.data(),
                               lengths.data(), p.formats_.data(), 0);
    }
    if (ok != 1) break;
    ++sent;
  }
  const bool synced = PQpipelineSync(conn_) == 1;
  std::vector<Rows> out;
  std::optional<Error> failure;
  if (sent < steps.size() || !synced) failure = error_of(nullptr, "sending a pipeline");
  for (size_t i = 0; i < sent && synced; ++i) {
    pg_result* res = PQgetResult(conn_);
    if (res == nullptr) {
      if (!failure) failure = error_of(nullptr, "a statement");
      break;
    }
    const auto status = PQresultStatus(res);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      out.emplace_back(res);
    } else {
      if (!failure && status != PGRES_PIPELINE_ABORTED) failure = error_of(res, "a statement");
      PQclear(res);
    }
    // Each statement's results end with a NULL.
    while ((res = PQgetResult(conn_)) != nullptr) {
      const bool lost = PQresultStatus(res) == PGRES_FATAL_ERROR && broken();
      PQclear(res);
      if (lost) break;
    }
    if (broken()) break;
  }
  if (synced && !broken()) {
    // The sync's own result.
    if (pg_result* sync = PQgetResult(conn_)) PQclear(sync);
  }
  (void)PQexitPipelineMode(conn_);
  if (failure) return std::unexpected(std::move(*failure));
  if (out.size() != steps.size()) return std::unexpected(error_of(nullptr, "a pipeline"));
  return out;
}

Result<Rows> Connection::exec(const std::string& sql, const Params& params) {
  if (broken()) return std::unexpected(error_of(nullptr, "a statement"));
  pg_result* res = run(sql, &params, sql.starts_with("SELECT"));
  const auto status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = error_of(res, "a statement");
    if (res != nullptr) PQclear(res);
    return std::unexpected(std::move(e));
  }
  return Rows(res);
}

Status Connection::script(const std::string& sql) {
  if (broken()) return std::unexpected(error_of(nullptr, "a statement"));
  pg_result* res = run(sql, nullptr, sql == "BEGIN");
  const auto status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = error_of(res, "a statement");
    if (res != nullptr) PQclear(res);
    return std::unexpected(std::move(e));
  }
  PQclear(res);
  return {};
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Connection& conn) {
  if (auto st = conn.script("BEGIN"); !st) return std::unexpected(st.error());
  return Transaction(conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr && !conn_->broken()) (void)conn_->script("ROLLBACK");
}

Status Transaction::commit() {
  Connection* c = std::exchange(conn_, nullptr);
  return c->script("COMMIT");
}

}  // namespace s5j::ledger::pg
