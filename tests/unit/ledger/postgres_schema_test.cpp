// Migrations of the PostgreSQL ledger that change what a store already
// holds, against the server of ctest fixture "postgres": a store left at
// an older schema (built here from that schema's SQL, as an older release
// wrote it) opens at the latest with its data carried over.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/postgres/pg_schema.h"
#include "ledger/size_class.h"
#include "ledger/size_class_sql.h"
#include "unit/ledger/fake_clock.h"
#include "unit/ledger/postgres_store.h"

namespace s5j::ledger {
namespace {

// A fresh store at schema `version`, as a release of that schema left it.
Status build_store_at(const std::string& store, int version) {
  auto conn = pg::Connection::open(store, "test", "");
  if (!conn) return std::unexpected(conn.error());
  if (auto st = (*conn)->script("CREATE TABLE schema_version(version integer PRIMARY KEY, "
                                "description text NOT NULL, applied_at bigint NOT NULL)");
      !st)
    return st;
  for (const pg::Migration& m : pg::migrations()) {
    if (m.version > version) break;
    if (auto st = (*conn)->script(m.sql); !st) return st;
    auto row = (*conn)->exec("INSERT INTO schema_version VALUES ($1, $2, 0)",
                             pg::Params().i64(m.version).text(m.description));
    if (!row) return std::unexpected(row.error());
  }
  return {};
}

// Schema 2 splits the totals by size class, from the objects themselves,
// and gives locks a heartbeat time (their acquisition time at first) and
// figures (none).
TEST(PostgresSchema, TotalsOfASchema1StoreAreSplitBySizeClass) {
  const std::string store = pgtest::fresh_postgres_store();
  ASSERT_FALSE(store.empty());
  ASSERT_TRUE(build_store_at(store, 1).has_value());
  {
    auto conn = pg::Connection::open(store, "test", "");
    ASSERT_TRUE(conn.has_value());
    // What schema 1 held: objects, their per-state totals, a lock.
    auto st = (*conn)->script(
        "INSERT INTO jobs(id, name, mode, created_at) VALUES (1, 'job', 'direct', 0), (2, 'staged', 'staged', 0);"
        "INSERT INTO objects(job_id, key, size, source_etag, state, created_at, updated_at) VALUES "
        "(1, 'a', 10, 'e', 'pending', 0, 0), (1, 'b', 65536, 'e', 'verified', 0, 0), "
        "(1, 'c', 314572800, 'e', 'pending', 0, 0), (1, 'd', 20, 'e', 'verified', 0, 0), "
        "(2, 's', 5242880, 'e', 'staged', 0, 0);"
        "INSERT INTO object_totals(job_id, state, objects, bytes) "
        "  SELECT job_id, state, count(*), sum(size) FROM objects GROUP BY 1, 2;"
        "INSERT INTO job_locks(job_id, role, owner, pid, host, acquired_at, expires_at) "
        "  VALUES (1, '', 'old-run', 77, 'h', 1234, 9000000000000);");
    ASSERT_TRUE(st.has_value()) << st.error().describe();
  }
  s5j::testing::FakeClock clock;
  auto opened = pgtest::open_postgres(store, clock);
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  PostgresLedger& l = **opened;
  const std::vector<SizeClassTotals> expected{{ObjectState::pending, 0, 1, 10},
                                              {ObjectState::pending, 4, 1, 314572800},
                                              {ObjectState::verified, 0, 1, 20},
                                              {ObjectState::verified, 1, 1, 65536}};
  auto by_class = l.totals_by_size_class(JobId{1});
  ASSERT_TRUE(by_class.has_value()) << by_class.error().describe();
  EXPECT_EQ(*by_class, expected);
  EXPECT_EQ(*l.totals_by_size_class(JobId{2}), (std::vector<SizeClassTotals>{{ObjectState::staged, 2, 1, 5242880}}));
  const auto totals = l.totals(JobId{1});
  ASSERT_TRUE(totals.has_value());
  EXPECT_EQ(totals->front().objects, 2u);
  EXPECT_EQ(totals->front().bytes, 10u + 314572800u);
  const auto holders = l.job_lock_holders(JobId{1});
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 1u);
  EXPECT_EQ(holders->front().renewed_at, holders->front().acquired_at);
  EXPECT_TRUE(holders->front().figures.empty());
  EXPECT_TRUE(*l.set_run_figures(JobId{1}, "old-run", "x"));
  // Later writes keep the split table.
  ASSERT_TRUE(l.upsert_listed(JobId{1}, std::vector{ListedObject{"a", 2 << 20, "e2", std::nullopt}}).has_value());
  EXPECT_EQ(l.totals_by_size_class(JobId{1})->front(), (SizeClassTotals{ObjectState::pending, 2, 1, 2 << 20}));
}

// The SQL the migration splits existing totals with puts every size in the
// class size_class_of() gives it, at every bound and one byte either side,
// in PostgreSQL too.
TEST(PostgresSchema, SizeClassSqlAgreesWithSizeClassOfAtEveryBound) {
  const std::string store = pgtest::fresh_postgres_store();
  ASSERT_FALSE(store.empty());
  auto conn = pg::Connection::open(store, "test", "");
  ASSERT_TRUE(conn.has_value());
  std::vector<uint64_t> sizes{0, 1, uint64_t{5} << 30, uint64_t{1} << 62};
  for (int c = 1; c < kSizeClasses; ++c)
    for (uint64_t s : {size_class_floor(c) - 1, size_class_floor(c), size_class_floor(c) + 1}) sizes.push_back(s);
  for (uint64_t size : sizes) {
    SCOPED_TRACE(size);
    auto r = (*conn)->exec("SELECT " S5J_SQL_SIZE_CLASS_OF_SIZE " FROM (SELECT $1::bigint AS size) v",
                           pg::Params().i64(static_cast<int64_t>(size)));
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(r->i64(0, 0), size_class_of(size));
  }
}

}  // namespace
}  // namespace s5j::ledger
