// PostgresLedger: the URL, connecting and reconnecting, the clock offset,
// and what every part shares (the job modes). The parts of the interface
// are implemented in postgres_ledger_<part>.cpp (see postgres_ledger.h).
#include "ledger/postgres/postgres_ledger.h"

#include <libpq-fe.h>

#include <chrono>

#include "ledger/ledger_error.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/pg_schema.h"

namespace s5j::ledger {

namespace {

std::string percent_encode(std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// The server's clock minus ours, from one round trip (the server's reading
// is taken as being at the round trip's midpoint).
Result<int64_t> measure_offset(pg::Connection& c) {
  const int64_t before = pg::to_ms(std::chrono::system_clock::now());
  auto r = c.exec("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
  if (!r) return std::unexpected(r.error());
  const int64_t after = pg::to_ms(std::chrono::system_clock::now());
  return r->i64(0, 0) - (before + after) / 2;
}

}  // namespace

Result<PostgresUrl> parse_postgres_url(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err != nullptr ? err : "out of memory";
    if (err != nullptr) PQfreemem(err);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return ledger_error(ErrorKind::fatal, kLedgerError,
                        "ledger.postgres_url is not a PostgreSQL URL libpq accepts (" + why +
                            "); write it as postgresql://USER@HOST:PORT/DATABASE");
  }
  PostgresUrl out;
  std::string user, host, port, dbname, query;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string key = o->keyword;
    const std::string val = o->val;
    if (key == "password") {
      out.password = val;
    } else if (key == "user") {
      user = val;
    } else if (key == "host" && val.find_first_of("/,") == std::string::npos) {
      host = val;
    } else if (key == "port" && val.find(',') == std::string::npos) {
      port = val;
    } else if (key == "dbname") {
      dbname = val;
    } else {
      query += (query.empty() ? "?" : "&") + key + "=" + percent_encode(val);
    }
  }
  PQconninfoFree(opts);
  out.redacted = "postgresql://" + (user.empty() ? "" : percent_encode(user) + "@") + host +
                 (port.empty() ? "" : ":" + port) + "/" + percent_encode(dbname) + query;
  return out;
}

std::string libpq_version() {
  const int v = pg::Connection::library_version();
  // 100000 and later: major * 10000 + minor.
  return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

PostgresLedger::PostgresLedger(PostgresLedgerOptions options, std::string location, std::string password,
                               std::unique_ptr<pg::Connection> conn, int64_t offset_ms)
    : options_(std::move(options)),
      location_(std::move(location)),
      password_(std::move(password)),
      offset_ms_(offset_ms),
      conn_(std::move(conn)) {}

PostgresLedger::~PostgresLedger() = default;

Result<std::unique_ptr<PostgresLedger>> PostgresLedger::open(PostgresLedgerOptions options) {
  if (options.clock == nullptr) options.clock = &SystemClock::instance();
  auto url = parse_postgres_url(options.url);
  if (!url) return std::unexpected(url.error());
  auto conn = pg::Connection::open(options.url, url->redacted, url->password);
  if (!conn) return std::unexpected(conn.error());
  if (auto st = pg::migrate(**conn, url->redacted); !st) return std::unexpected(st.error());
  int64_t offset = 0;
  if (options.clock == &SystemClock::instance()) {
    auto measured = measure_offset(**conn);
    if (!measured) return std::unexpected(measured.error());
    offset = *measured;
  }
  return std::unique_ptr<PostgresLedger>(
      new PostgresLedger(std::move(options), url->redacted, url->password, std::move(*conn), offset));
}

Result<pg::Connection*> PostgresLedger::conn_locked() {
  if (conn_ == nullptr || conn_->broken()) {
    conn_.reset();
    auto conn = pg::Connection::open(options_.url, location_, password_);
    if (!conn) return std::unexpected(conn.error());
    conn_ = std::move(*conn);
  }
  return conn_.get();
}

int64_t PostgresLedger::now_ms() const { return pg::to_ms(options_.clock->now()) + offset_ms_; }

Result<JobMode> PostgresLedger::job_mode(JobId job) {
  {
    std::lock_guard modes(modes_mu_);
    if (auto it = job_modes_.find(job.value); it != job_modes_.end()) return it->second;
  }
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("SELECT mode FROM jobs WHERE id = $1", pg::Params().i64(job.value));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "no job with id " + std::to_string(job.value) + " in " + location_);
  }
  const JobMode mode = parse_job_mode(r->text(0, 0)).value_or(JobMode::direct);
  std::lock_guard modes(modes_mu_);
  job_modes_[job.value] = mode;
  return mode;
}

}  // namespace s5j::ledger
