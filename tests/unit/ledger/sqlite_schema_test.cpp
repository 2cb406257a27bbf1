// Schema versions and migrations of the SQLite ledger, and refusing files
// that are not ledgers.
#include "ledger/sqlite/sqlite_schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "ledger/ledger_error.h"
#include "ledger/size_class.h"
#include "ledger/size_class_sql.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"
#include "support/test_env.h"

namespace s5j::ledger {
namespace {

namespace fs = std::filesystem;

// Runs SQL on a file with the plain SQLite API, as another program would.
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

int64_t raw_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An object row as every schema version holds it, written with plain SQL:
// this build's ledger code writes what the latest schema has (the totals
// of schema 9), which an older file lacks.
void add_object_as_written_then(const std::string& path, int version, JobId job, const std::string& key,
                                int64_t size) {
  raw_exec(path, "INSERT INTO objects(job_id, key, size, source_etag, state, created_at, updated_at) VALUES (" +
                     std::to_string(job.value) + ", CAST('" + key + "' AS BLOB), " + std::to_string(size) +
                     ", 'e', 'pending', 0, 0)");
  if (version >= 9 && version < 13)  // the totals the ledger keeps with every write from schema 9 on
    raw_exec(path, "INSERT INTO object_totals VALUES (" + std::to_string(job.value) + ", 'pending', 1, " +
                       std::to_string(size) + ") ON CONFLICT (job_id, state) DO UPDATE SET objects = objects + 1, "
                       "bytes = bytes + excluded.bytes");
  if (version >= 13)  // split by size class
    raw_exec(path, "INSERT INTO object_totals VALUES (" + std::to_string(job.value) + ", 'pending', " +
                       std::to_string(size_class_of(static_cast<uint64_t>(size))) + ", 1, " + std::to_string(size) +
                       ") ON CONFLICT (job_id, state, size_class) DO UPDATE SET objects = objects + 1, "
                       "bytes = bytes + excluded.bytes");
}

Result<std::unique_ptr<SqliteLedger>> open_at(const std::string& path, int version = 0) {
  SqliteLedgerOptions o;
  o.path = path;
  o.schema_version = version;
  return SqliteLedger::open(o);
}

class SchemaTest : public ::testing::Test {
 protected:
  std::string dir_ = s5j::testing::make_temp_dir("ledger-schema");
  std::string path_ = dir_ + "/ledger.db";
};

TEST_F(SchemaTest, MigrationsAreNumberedOneUpWithoutGaps) {
  int expected = 1;
  for (const auto& m : sqlite::migrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_EQ(sqlite::latest_schema_version(), expected - 1);
}

TEST_F(SchemaTest, NewFileIsAtLatestVersionWithOneRowPerMigration) {
  ASSERT_TRUE(open_at(path_).has_value());
  EXPECT_EQ(raw_int(path_, "SELECT max(version) FROM schema_version"), sqlite::latest_schema_version());
  EXPECT_EQ(raw_int(path_, "SELECT count(*) FROM schema_version"), sqlite::latest_schema_version());
  EXPECT_EQ(raw_int(path_, "PRAGMA application_id"), sqlite::kApplicationId);
}

TEST_F(SchemaTest, EveryOlderVersionUpgradesKeepingData) {
  for (int v = 1; v < sqlite::latest_schema_version(); ++v) {
    SCOPED_TRACE("from version " + std::to_string(v));
    const std::string path = dir_ + "/v" + std::to_string(v) + ".db";
    {
      auto old = open_at(path, v);
      ASSERT_TRUE(old.has_value()) << old.error().describe();
      const JobId j = (*old)->open_job("job", JobMode::direct)->id;
      add_object_as_written_then(path, v, j, "k", 5);
    }
    EXPECT_EQ(raw_int(path, "SELECT max(version) FROM schema_version"), v);
    auto now = open_at(path);
    ASSERT_TRUE(now.has_value()) << now.error().describe();
    EXPECT_EQ(raw_int(path, "SELECT max(version) FROM schema_version"), sqlite::latest_schema_version());
    const JobRecord job = **(*now)->find_job("job");
    EXPECT_EQ((*(*now)->find_object(job.id, "k"))->size, 5u);
    // Totals of objects written before schema 9 are counted when it is added.
    const auto totals = (*now)->totals(job.id);
    ASSERT_TRUE(totals.has_value());
    EXPECT_EQ(totals->front().state, ObjectState::pending);
    EXPECT_EQ(totals->front().objects, 1u);
    EXPECT_EQ(totals->front().bytes, 5u);
    // What the later migrations added works on the upgraded file.
    EXPECT_TRUE((*now)->begin_run(job.id, RunStart{1, "h", "run", "v"}).has_value());
    EXPECT_TRUE((*now)->recent_errors(job.id, 5).has_value());
    ASSERT_TRUE((*now)->acquire_job_lock(job.id, LockRequest{"o", 1, "h"})->acquired);
    EXPECT_TRUE(*(*now)->set_run_activity(job.id, "o", RunActivity{"transferring", ledger::TimePoint{}}));
    EXPECT_TRUE(*(*now)->set_run_figures(job.id, "o", "{}"));
    const auto by_class = (*now)->totals_by_size_class(job.id);
    ASSERT_TRUE(by_class.has_value());
    EXPECT_EQ(*by_class, (std::vector<SizeClassTotals>{{ObjectState::pending, 0, 1, 5}}));
  }
}

// The totals table (schema 9, split by size class in schema 13) is what a
// GROUP BY over the objects would say, after every kind of write: listing
// new and changed objects, transitions, failures requeued, a job reset.
TEST_F(SchemaTest, TotalsEqualAGroupByAfterEveryKindOfWrite) {
  auto opened = open_at(path_);
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  SqliteLedger& l = **opened;
  const JobId j = l.open_job("job", JobMode::direct)->id;
  const JobId other = l.open_job("other", JobMode::direct)->id;
  auto agree = [&](const std::string& after) {
    SCOPED_TRACE(after);
    const std::string diff =
        "SELECT count(*) FROM (SELECT job_id, state, " S5J_SQL_SIZE_CLASS_OF_SIZE
        " AS c, count(*) AS n, sum(size) AS b FROM objects GROUP BY 1, 2, 3 "
        "EXCEPT SELECT job_id, state, size_class, objects, bytes FROM object_totals WHERE objects != 0) ";
    EXPECT_EQ(raw_int(path_, diff), 0);
    EXPECT_EQ(raw_int(path_, "SELECT count(*) FROM object_totals WHERE objects != 0"),
              raw_int(path_, "SELECT count(*) FROM (SELECT DISTINCT job_id, state, " S5J_SQL_SIZE_CLASS_OF_SIZE
                             " FROM objects)"));
    EXPECT_EQ(raw_int(path_, "SELECT count(*) FROM object_totals WHERE objects < 0 OR (objects = 0 AND bytes != 0)"),
              0);
  };
  auto list = [&](JobId job, std::vector<ListedObject> objects) {
    ASSERT_TRUE(l.upsert_listed(job, objects).has_value());
  };
  list(j, {{"a", 10, "e1", std::nullopt}, {"b", 20, "e2", std::nullopt}, {"c", 300 << 20, "e3", std::nullopt}});
  list(other, {{"a", 7, "x", std::nullopt}});
  agree("listing");
  list(j, {{"a", 10, "e1", std::nullopt}, {"b", 2 << 20, "e2b", std::nullopt}});
  agree("a changed object, into another size class");
  auto claimed = l.claim(ClaimRequest{j, 10, "w", std::chrono::minutes(1), {ObjectState::pending}});
  ASSERT_EQ(claimed->size(), 3u);
  for (const ObjectRecord& r : *claimed) ASSERT_TRUE(l.queue(Transition::of(r, ObjectState::copying, "w")).has_value());
  ASSERT_TRUE(l.flush().has_value());
  agree("claimed and copying");
  const auto copying = *l.list_objects(j, ListQuery{});
  for (const ObjectRecord& r : {copying[0], copying[2]}) {
    Transition verified = Transition::of(r, ObjectState::verified, "w");
    verified.update.crc32c = 1;
    ASSERT_TRUE(l.queue(verified).has_value());
  }
  Transition failed = Transition::of(copying[1], ObjectState::failed, "w");
  failed.update.error = "boom";
  ASSERT_TRUE(l.queue(failed).has_value());
  auto flushed = l.flush();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(flushed->applied, 3u);
  agree("verified and failed");
  ASSERT_EQ(l.requeue_failed(j).value_or(0), 1u);
  agree("failed requeued");
  const ObjectRecord c = *l.get_object(copying[2].id).value();
  ASSERT_EQ(c.state, ObjectState::verified);
  const ReopenRequest reopen{c.id, c.size, c.source_etag, c.updated_at, "missing at the destination"};
  ASSERT_EQ(l.reopen_verified(j, std::span(&reopen, 1))->size(), 1u);
  agree("a verified object reopened by verify");
  list(j, {{"a", 70000, "e1c", std::nullopt}});
  agree("a verified object changed at the source, into another size class");
  ASSERT_TRUE(l.reset_job(j).has_value());
  agree("reset");
  const auto totals = *l.totals(other);
  EXPECT_EQ(totals.front().objects, 1u);
  EXPECT_EQ(totals.front().bytes, 7u);
}

// The SQL the migrations split existing totals with puts every size in the
// class size_class_of() gives it, at every bound and one byte either side.
TEST_F(SchemaTest, SizeClassSqlAgreesWithSizeClassOfAtEveryBound) {
  ASSERT_TRUE(open_at(path_).has_value());
  std::vector<uint64_t> sizes{0, 1, uint64_t{5} << 30, uint64_t{1} << 62};
  for (int c = 1; c < kSizeClasses; ++c)
    for (uint64_t s : {size_class_floor(c) - 1, size_class_floor(c), size_class_floor(c) + 1}) sizes.push_back(s);
  for (uint64_t size : sizes) {
    SCOPED_TRACE(size);
    EXPECT_EQ(raw_int(path_, "SELECT " S5J_SQL_SIZE_CLASS_OF_SIZE " FROM (SELECT " + std::to_string(size) +
                                 " AS size)"),
              size_class_of(size));
  }
}

// Version 13 splits the totals by size class, from the objects themselves,
// and gives locks a heartbeat time (their acquisition time at first) and
// figures (none).
TEST_F(SchemaTest, TotalsOfAVersion12FileAreSplitBySizeClass) {
  JobId j, staged;
  {
    auto old = open_at(path_, 12);
    ASSERT_TRUE(old.has_value()) << old.error().describe();
    j = (*old)->open_job("job", JobMode::direct)->id;
    staged = (*old)->open_job("staged", JobMode::staged)->id;
  }
  add_object_as_written_then(path_, 12, j, "a", 10);
  add_object_as_written_then(path_, 12, j, "b", 64 << 10);
  add_object_as_written_then(path_, 12, j, "c", 300 << 20);
  add_object_as_written_then(path_, 12, j, "d", 20);
  add_object_as_written_then(path_, 12, staged, "s", 5 << 20);
  raw_exec(path_, "UPDATE objects SET state = 'verified' WHERE key IN (CAST('b' AS BLOB), CAST('d' AS BLOB));"
                  "UPDATE objects SET state = 'staged' WHERE key = CAST('s' AS BLOB);");  // totals: rebuilt anyway
  raw_exec(path_, "INSERT INTO job_locks(job_id, role, owner, pid, host, acquired_at, expires_at) VALUES (" +
                      std::to_string(j.value) + ", '', 'old-run', 77, 'h', 1234, 9000000000000)");
  auto now = open_at(path_);
  ASSERT_TRUE(now.has_value()) << now.error().describe();
  EXPECT_EQ(raw_int(path_, "SELECT max(version) FROM schema_version"), sqlite::latest_schema_version());
  const auto by_class = (*now)->totals_by_size_class(j);
  ASSERT_TRUE(by_class.has_value()) << by_class.error().describe();
  const std::vector<SizeClassTotals> expected{{ObjectState::pending, 0, 1, 10},
                                              {ObjectState::pending, 4, 1, 300 << 20},
                                              {ObjectState::verified, 0, 1, 20},
                                              {ObjectState::verified, 1, 1, 64 << 10}};
  EXPECT_EQ(*by_class, expected);
  EXPECT_EQ(*(*now)->totals_by_size_class(staged),
            (std::vector<SizeClassTotals>{{ObjectState::staged, 2, 1, 5 << 20}}));
  const auto totals = (*now)->totals(j);
  ASSERT_TRUE(totals.has_value());
  EXPECT_EQ(totals->front().state, ObjectState::pending);
  EXPECT_EQ(totals->front().objects, 2u);
  EXPECT_EQ(totals->front().bytes, 10u + (300u << 20));
  const auto holders = (*now)->job_lock_holders(j);
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 1u);
  EXPECT_EQ(holders->front().renewed_at, holders->front().acquired_at);
  EXPECT_EQ(sqlite::to_ms(holders->front().renewed_at), 1234);
  EXPECT_TRUE(holders->front().figures.empty());
  EXPECT_TRUE(*(*now)->set_run_figures(j, "old-run", "x"));
}

// Version 4 keys locks by (job, role): a lock held when the file was at
// version 3 becomes a whole-job lock, which still excludes every role.
TEST_F(SchemaTest, LockOfAVersion3FileBecomesAWholeJobLock) {
  JobId j;
  {
    auto old = open_at(path_, 3);
    ASSERT_TRUE(old.has_value()) << old.error().describe();
    j = (*old)->open_job("job", JobMode::staged)->id;
  }
  raw_exec(path_, "INSERT INTO job_locks(job_id, owner, pid, host, acquired_at, expires_at) VALUES (" +
                      std::to_string(j.value) + ", 'old-run', 77, 'h', 1, 9000000000000)");
  auto now = open_at(path_);
  ASSERT_TRUE(now.has_value()) << now.error().describe();
  EXPECT_EQ(raw_int(path_, "SELECT max(version) FROM schema_version"), sqlite::latest_schema_version());
  auto holder = (*now)->job_lock_holder(j);
  ASSERT_TRUE(holder.has_value() && holder->has_value());
  EXPECT_EQ((*holder)->pid, 77);
  EXPECT_EQ((*holder)->role, "");
  EXPECT_FALSE((*now)->acquire_job_lock(j, LockRequest{"stager", 1, "h", std::chrono::minutes(1), {"stage"}})->acquired);
  ASSERT_TRUE((*now)->break_job_lock(j, "old-run").has_value());
  EXPECT_TRUE((*now)->acquire_job_lock(j, LockRequest{"stager", 1, "h", std::chrono::minutes(1), {"stage"}})->acquired);
  EXPECT_TRUE((*now)->acquire_job_lock(j, LockRequest{"drainer", 2, "h", std::chrono::minutes(1), {"drain"}})->acquired);
}

// Version 12 keys locks by (job, role, owner) for shared locks and adds the
// fencing epoch: a lock and a claimed record of a version 11 file stay as
// they were (the lock exclusive, so a shared request is still refused; the
// record's epoch starts at 0 and its next claim moves it).
TEST_F(SchemaTest, LocksAndLeasesOfAVersion11FileKeepTheirMeaning) {
  JobId j;
  {
    auto old = open_at(path_, 11);
    ASSERT_TRUE(old.has_value()) << old.error().describe();
    j = (*old)->open_job("job", JobMode::direct)->id;
  }
  raw_exec(path_, "INSERT INTO job_locks(job_id, role, owner, pid, host, acquired_at, expires_at, activity, "
                  "activity_since) VALUES (" + std::to_string(j.value) +
                      ", '', 'old-run', 77, 'h', 1, 9000000000000, 'transferring', 5)");
  add_object_as_written_then(path_, 11, j, "a", 10);
  auto now = open_at(path_);
  ASSERT_TRUE(now.has_value()) << now.error().describe();
  auto holders = (*now)->job_lock_holders(j);
  ASSERT_TRUE(holders.has_value());
  ASSERT_EQ(holders->size(), 1u);
  EXPECT_EQ(holders->front().owner, "old-run");
  EXPECT_FALSE(holders->front().shared);
  ASSERT_TRUE(holders->front().activity.has_value());
  EXPECT_EQ(holders->front().activity->name, "transferring");
  LockRequest shared{"worker", 5, "h", std::chrono::minutes(1)};
  shared.shared = true;
  EXPECT_FALSE((*now)->acquire_job_lock(j, shared)->acquired);
  auto a = (*now)->find_object(j, "a");
  ASSERT_TRUE(a.has_value() && a->has_value());
  EXPECT_EQ((**a).lease_epoch, 0u);
  auto claimed = (*now)->claim(ClaimRequest{j, 1, "w", std::chrono::minutes(1), {ObjectState::pending}});
  ASSERT_TRUE(claimed.has_value());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().lease_epoch, 1u);
}

int raw_exec_code(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

// Opcodes of a statement's program, as EXPLAIN lists them.
std::vector<std::string> raw_opcodes(const std::string& path, const std::string& sql) {
  std::vector<std::string> ops;
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, ("EXPLAIN " + sql).c_str(), -1, &st, nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) ops.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ops;
}

std::string raw_text(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  std::string text;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return text;
}

std::string objects_sql(const std::string& path) {
  return raw_text(path, "SELECT sql FROM sqlite_schema WHERE name = 'objects'");
}

// Version 7 rewrites version 1's `state IN (...)` CHECK, which made SQLite
// build a temporary index for every write of `state`, as comparisons: the
// same states are accepted and refused, and the write builds none.
TEST_F(SchemaTest, StateCheckOfAVersion6FileIsRewrittenAndStillRefusesUnknownStates) {
  const std::string update = "UPDATE objects SET state = 'copying' WHERE id = 1";
  {
    auto old = open_at(path_, 6);
    ASSERT_TRUE(old.has_value()) << old.error().describe();
    const JobId j = (*old)->open_job("job", JobMode::direct)->id;
    add_object_as_written_then(path_, 6, j, "k", 5);
  }
  ASSERT_NE(objects_sql(path_).find("state IN ("), std::string::npos);  // the text version 7 replaces
  auto version6 = raw_opcodes(path_, update);
  EXPECT_NE(std::find(version6.begin(), version6.end(), "OpenEphemeral"), version6.end());

  ASSERT_TRUE(open_at(path_).has_value());
  EXPECT_EQ(objects_sql(path_).find("state IN ("), std::string::npos);
  auto version7 = raw_opcodes(path_, update);
  ASSERT_FALSE(version7.empty());
  EXPECT_EQ(std::find(version7.begin(), version7.end(), "OpenEphemeral"), version7.end());
  EXPECT_EQ(raw_text(path_, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw_exec_code(path_, "UPDATE objects SET state = 'bogus'"), SQLITE_CONSTRAINT);
  for (const char* state : {"pending", "copying", "staging", "staged", "uploading", "verified", "failed", "vanished"})
    EXPECT_EQ(raw_exec_code(path_, std::string("UPDATE objects SET state = '") + state + "'"), SQLITE_OK) << state;
}

TEST_F(SchemaTest, ANewLedgerWritesStateWithoutATemporaryIndex) {
  ASSERT_TRUE(open_at(path_).has_value());
  auto ops = raw_opcodes(path_, "UPDATE objects SET state = 'copying' WHERE id = 1");
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ(std::find(ops.begin(), ops.end(), "OpenEphemeral"), ops.end());
  EXPECT_EQ(raw_exec_code(path_, "INSERT INTO jobs(name, mode, created_at) VALUES ('j', 'direct', 0); "
                                 "INSERT INTO objects(job_id, key, size, source_etag, state, created_at, updated_at) "
                                 "VALUES (1, x'6b', 1, 'e', 'done', 0, 0)"),
            SQLITE_CONSTRAINT);
}

// A ledger another process keeps locked: open() gives up after busy_timeout
// (retries included) with a retryable LedgerBusy naming the file and what to do.
TEST_F(SchemaTest, ALedgerHeldByAnotherProcessIsBusyAfterTheTimeoutWithTheFix) {
  ASSERT_TRUE(open_at(path_).has_value());
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", nullptr, nullptr, nullptr),
            SQLITE_OK);  // exclusive mode keeps the lock until the connection closes
  SqliteLedgerOptions o;
  o.path = path_;
  o.busy_timeout = std::chrono::milliseconds(200);
  auto l = SqliteLedger::open(o);
  sqlite3_close(holder);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, kLedgerBusy);
  EXPECT_TRUE(l.error().retryable());
  EXPECT_NE(l.error().message.find(path_), std::string::npos) << l.error().message;
  EXPECT_NE(l.error().message.find("s5j status"), std::string::npos) << l.error().message;
  EXPECT_TRUE(open_at(path_).has_value());  // free again once the holder is gone
}

// Version 10: the claim index leaves out verified rows, and a query that
// repeats the index's WHERE (as the ledger's claim and requeue queries do)
// is served by it; without the term SQLite could not use it.
TEST_F(SchemaTest, ClaimIndexLeavesOutVerifiedRowsAndServesClaims) {
  ASSERT_TRUE(open_at(path_).has_value());
  EXPECT_NE(raw_text(path_, "SELECT sql FROM sqlite_schema WHERE name = 'objects_claim'").find("WHERE state != 'verified'"),
            std::string::npos);
  auto plan = [&](const std::string& where) {
    std::string details;
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "EXPLAIN QUERY PLAN SELECT id FROM objects WHERE " + where + " LIMIT 64";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK)
      while (sqlite3_step(st) == SQLITE_ROW) details += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return details;
  };
  EXPECT_NE(plan("job_id = ?1 AND state = ?2 AND lease_expires <= ?3 AND state != 'verified'").find("objects_claim"),
            std::string::npos);
  EXPECT_EQ(plan("job_id = ?1 AND state = ?2 AND lease_expires <= ?3").find("objects_claim"), std::string::npos);
}

TEST_F(SchemaTest, EmptyFileBecomesALedger) {
  std::ofstream(path_).close();
  ASSERT_TRUE(open_at(path_).has_value());
  EXPECT_EQ(raw_int(path_, "PRAGMA application_id"), sqlite::kApplicationId);
}

TEST_F(SchemaTest, FileThatIsNoDatabaseIsRefusedAndLeftUntouched) {
  {
    std::ofstream out(path_, std::ios::binary);
    for (int i = 0; i < 500; ++i) out << "this is a text file, not a ledger\n";
  }
  const std::string before = read_file(path_);
  auto l = open_at(path_);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, kLedgerError);
  EXPECT_EQ(l.error().kind, ErrorKind::fatal);
  EXPECT_NE(l.error().message.find(path_), std::string::npos) << l.error().message;
  EXPECT_NE(l.error().message.find("not an s5jtransfer ledger"), std::string::npos);
  EXPECT_NE(l.error().message.find("--ledger"), std::string::npos);  // the fix
  EXPECT_EQ(read_file(path_), before);
  EXPECT_FALSE(fs::exists(path_ + "-wal"));
}

TEST_F(SchemaTest, AnotherProgramsDatabaseIsRefusedAndLeftUntouched) {
  raw_exec(path_, "CREATE TABLE photos(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos(name) VALUES ('x');");
  auto l = open_at(path_);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, kLedgerError);
  EXPECT_NE(l.error().message.find("another program"), std::string::npos) << l.error().message;
  EXPECT_NE(l.error().message.find(path_), std::string::npos);
  EXPECT_EQ(raw_int(path_, "SELECT count(*) FROM photos"), 1);
  EXPECT_EQ(raw_int(path_, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version'"), 0);
}

TEST_F(SchemaTest, LedgerOfANewerReleaseIsRefused) {
  ASSERT_TRUE(open_at(path_).has_value());
  raw_exec(path_, "INSERT INTO schema_version VALUES (999, 'from the future', 0)");
  auto l = open_at(path_);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, kLedgerError);
  EXPECT_NE(l.error().message.find("newer"), std::string::npos) << l.error().message;
  EXPECT_NE(l.error().message.find("999"), std::string::npos);
}

}  // namespace
}  // namespace s5j::ledger
