// Fresh PostgreSQL ledger stores for the tests: each one a new schema in
// the fixture's database, reached through libpq's `options` URL parameter
// (search_path), which is much faster than a database per test.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "ledger/postgres/pg_connection.h"
#include "ledger/postgres/postgres_ledger.h"
#include "support/test_env.h"

namespace s5j::ledger::pgtest {

// `url` with the libpq option that puts `schema` first on the search path.
inline std::string with_search_path(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

// Creates a new, empty schema; returns the URL that uses it. Aborts the
// test (ADD_FAILURE and an empty URL) when the server cannot be reached.
inline std::string fresh_postgres_store() {
  static std::atomic<int> counter{0};
  const std::string schema = "s5j_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string url = s5j::testing::postgres_url();
  auto conn = pg::Connection::open(url, "test server", "");
  if (!conn) {
    ADD_FAILURE() << conn.error().describe() << " (is the ctest fixture postgres running?)";
    return {};
  }
  if (auto st = (*conn)->script("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema); !st) {
    ADD_FAILURE() << st.error().describe();
    return {};
  }
  return with_search_path(url, schema);
}

inline Result<std::unique_ptr<PostgresLedger>> open_postgres(const std::string& url, const Clock& clock) {
  PostgresLedgerOptions o;
  o.url = url;
  o.clock = &clock;
  return PostgresLedger::open(o);
}

}  // namespace s5j::ledger::pgtest
