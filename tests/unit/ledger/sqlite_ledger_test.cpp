// SQLite-specific behaviour: durability settings, reopen, two instances on
// one file from two threads, and a power-cut simulation by copying the
// database and its WAL right after a reported commit.
#include "ledger/sqlite/sqlite_ledger.h"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "ledger/ledger_error.h"
#include "ledger/open_ledger.h"
#include "support/test_env.h"
#include "unit/ledger/fake_clock.h"

namespace s5j::ledger {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;

class SqliteLedgerTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteLedger> open(const std::string& path) {
    SqliteLedgerOptions o;
    o.path = path;
    o.clock = &clock_;
    auto l = SqliteLedger::open(o);
    EXPECT_TRUE(l.has_value()) << (l ? "" : l.error().describe());
    return l ? std::move(*l) : nullptr;
  }

  static void add(Ledger& l, JobId j, int n) {
    std::vector<ListedObject> v;
    for (int i = 0; i < n; ++i) v.push_back(ListedObject{"key-" + std::to_string(i), 10, "e", std::nullopt});
    ASSERT_TRUE(l.upsert_listed(j, v).has_value());
  }

  testing::FakeClock clock_;
  std::string dir_ = s5j::testing::make_temp_dir("sqlite-ledger");
  std::string path_ = dir_ + "/ledger.db";
};

TEST_F(SqliteLedgerTest, CommitsAreDurableWalWithFullSync) {
  auto l = open(path_);
  EXPECT_EQ(*l->pragma("journal_mode"), "wal");
  EXPECT_EQ(*l->pragma("synchronous"), "2");  // FULL
  EXPECT_EQ(*l->pragma("foreign_keys"), "1");
}

TEST_F(SqliteLedgerTest, ReopenAfterCloseKeepsEverything) {
  JobId j;
  ObjectId id;
  UploadRef up;
  {
    auto l = open(path_);
    j = l->open_job("job", JobMode::staged)->id;
    add(*l, j, 3);
    id = (*l->find_object(j, "key-1"))->id;
    Transition t{j, id, ObjectState::pending, ObjectState::staging, "", {}};
    ASSERT_TRUE(l->queue(t).has_value());
    t.from = ObjectState::staging;
    t.to = ObjectState::staged;
    t.update.md5 = Md5Bytes{1, 2, 3};
    t.update.crc32c = 77;
    t.update.staged = StagedCopy{"vol", "/v/key-1", 10, Md5Bytes{1, 2, 3}, 77};
    ASSERT_TRUE(l->queue(t).has_value());
    ASSERT_TRUE(l->flush().has_value());
    up = *l->begin_upload(UploadStart{id, "upload", 5 << 20, 1});
    ASSERT_TRUE(l->queue_part(up, PartRecord{1, 0, 10, "pe", std::nullopt, 77}).has_value());
    ASSERT_TRUE(l->flush().has_value());
    ASSERT_TRUE(l->begin_run(j, RunStart{42, "h", "run", "v"}).has_value());
    ASSERT_TRUE(l->acquire_job_lock(j, LockRequest{"me", 42, "h", minutes(5)})->acquired);
  }
  auto l = open(path_);
  const ObjectRecord r = **l->get_object(id);
  EXPECT_EQ(r.state, ObjectState::staged);
  EXPECT_EQ(r.md5, (Md5Bytes{1, 2, 3}));
  EXPECT_EQ(r.crc32c, 77u);
  ASSERT_TRUE(r.staged.has_value());
  EXPECT_EQ(r.staged->path, "/v/key-1");
  EXPECT_EQ((*l->active_upload(id))->parts.size(), 1u);
  EXPECT_EQ(l->runs(j, 5)->front().start.pid, 42);
  EXPECT_EQ((*l->job_lock_holder(j))->pid, 42);
  EXPECT_EQ(l->list_objects(j, {})->size(), 3u);
}

TEST_F(SqliteLedgerTest, TwoInstancesInParallelThreadsClaimDisjointWork) {
  constexpr int kObjects = 400;
  JobId j;
  {
    auto l = open(path_);
    j = l->open_job("job", JobMode::direct)->id;
    add(*l, j, kObjects);
  }
  // Two connections, as two processes would have, racing for the same rows
  // and committing transitions in between.
  std::vector<int64_t> got[2];
  std::string errors[2];
  auto worker = [&](int w) {
    auto l = open(path_);
    const std::string owner = "worker-" + std::to_string(w);
    for (;;) {
      auto batch = l->claim(ClaimRequest{j, 7, owner, minutes(5), {ObjectState::pending}});
      if (!batch) {
        errors[w] = batch.error().describe();
        return;
      }
      if (batch->empty()) return;
      for (const auto& r : *batch) {
        got[w].push_back(r.id.value);
        if (auto q = l->queue(Transition::of(r, ObjectState::copying, owner)); !q) errors[w] = q.error().describe();
      }
      auto f = l->flush();
      if (!f || !f->rejected.empty()) errors[w] = f ? "rejected " + f->rejected[0].code : f.error().describe();
    }
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  std::set<int64_t> all(got[0].begin(), got[0].end());
  for (int64_t id : got[1]) EXPECT_TRUE(all.insert(id).second) << "object " << id << " claimed twice";
  EXPECT_EQ(all.size(), size_t{kObjects});
  auto l = open(path_);
  const auto totals = l->totals(j);
  ASSERT_TRUE(totals.has_value());
  for (const auto& t : *totals) {
    EXPECT_EQ(t.objects, t.state == ObjectState::copying ? uint64_t{kObjects} : 0u) << to_string(t.state);
  }
}

TEST_F(SqliteLedgerTest, TwoProcessesClaimDisjointWork) {
  // Threads share SQLite's in-process lock bookkeeping; a second process
  // exercises the real file locks a second `s5j run` would meet.
  constexpr int kObjects = 300;
  JobId j;
  {
    auto l = open(path_);
    j = l->open_job("job", JobMode::direct)->id;
    add(*l, j, kObjects);
  }
  // Claims until nothing is left; returns the ids, or nullopt on error.
  auto drain = [&](const std::string& owner) -> std::optional<std::vector<int64_t>> {
    SqliteLedgerOptions o;
    o.path = path_;
    auto l = SqliteLedger::open(o);
    if (!l) return std::nullopt;
    std::vector<int64_t> ids;
    for (;;) {
      auto batch = (*l)->claim(ClaimRequest{j, 5, owner, minutes(5), {ObjectState::pending}});
      if (!batch) return std::nullopt;
      if (batch->empty()) return ids;
      for (const auto& r : *batch) {
        ids.push_back(r.id.value);
        if (!(*l)->queue(Transition::of(r, ObjectState::copying, owner))) return std::nullopt;
      }
      auto f = (*l)->flush();
      if (!f || !f->rejected.empty()) return std::nullopt;
    }
  };
  const std::string child_out = dir_ + "/child-ids.txt";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto ids = drain("child");
    std::ofstream out(child_out);
    if (ids) {
      for (int64_t id : *ids) out << id << "\n";
    }
    out.close();
    _exit(ids ? 0 : 1);
  }
  auto mine = drain("parent");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed to claim";
  ASSERT_TRUE(mine.has_value());
  std::set<int64_t> all(mine->begin(), mine->end());
  std::ifstream in(child_out);
  for (int64_t id; in >> id;) EXPECT_TRUE(all.insert(id).second) << "object " << id << " claimed by both";
  EXPECT_EQ(all.size(), size_t{kObjects});
}

// Copies the database and its WAL, as a power cut right now would leave
// them (the shared-memory index is rebuilt on open and is not copied).
std::string snapshot(const std::string& path, const std::string& to_dir) {
  const std::string copy = to_dir + "/ledger.db";
  fs::copy_file(path, copy);
  if (fs::exists(path + "-wal")) fs::copy_file(path + "-wal", copy + "-wal");
  return copy;
}

TEST_F(SqliteLedgerTest, PowerCutAfterFlushKeepsCommittedWorkOnly) {
  auto l = open(path_);
  // Keep every commit in the WAL so the copy depends on it.
  ASSERT_TRUE(l->pragma("wal_autocheckpoint=0").has_value());
  const JobId j = l->open_job("job", JobMode::direct)->id;
  add(*l, j, 5);
  std::vector<ObjectRecord> recs = *l->list_objects(j, {});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(l->queue(Transition::of(recs[i], ObjectState::copying)).has_value());
  auto rep = l->flush();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->applied, 3u);
  // Queued after the last reported commit: must not be in the copy.
  ASSERT_TRUE(l->queue(Transition::of(recs[3], ObjectState::copying)).has_value());
  ASSERT_GT(fs::file_size(path_ + "-wal"), 0u);

  const std::string copy = snapshot(path_, s5j::testing::make_temp_dir("ledger-crash"));
  auto after = open(copy);
  ASSERT_NE(after, nullptr);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*after->get_object(recs[i].id))->state, i < 3 ? ObjectState::copying : ObjectState::pending) << i;
  }
  EXPECT_EQ(after->list_objects(j, {})->size(), 5u);
}

TEST_F(SqliteLedgerTest, AutoFlushCommitsAFullQueue) {
  SqliteLedgerOptions o;
  o.path = path_;
  o.clock = &clock_;
  o.auto_flush_at = 4;
  auto l = std::move(*SqliteLedger::open(o));
  const JobId j = l->open_job("job", JobMode::direct)->id;
  add(*l, j, 6);
  auto recs = *l->list_objects(j, {});
  ASSERT_TRUE(l->queue(Transition::of(recs[0], ObjectState::copying)).has_value());
  ASSERT_TRUE(l->queue(Transition::of(recs[0], ObjectState::copying)).has_value());  // will be rejected
  for (int i = 1; i < 3; ++i) ASSERT_TRUE(l->queue(Transition::of(recs[i], ObjectState::copying)).has_value());
  EXPECT_EQ(l->queued(), 0u);  // the fourth queue() flushed the batch
  EXPECT_EQ((*l->get_object(recs[2].id))->state, ObjectState::copying);
  auto rep = l->flush();  // reports the rejection of the automatic flush
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->applied, 0u);
  ASSERT_EQ(rep->rejected.size(), 1u);
  EXPECT_EQ(rep->rejected[0].code, "StateChanged");
}

// The type and length of a record's dest_etag column as stored.
std::pair<int, int> stored_dest_etag(const std::string& path, const std::string& key) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT dest_etag FROM objects WHERE key = ?1", -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  std::pair<int, int> out{-1, -1};
  if (sqlite3_step(st) == SQLITE_ROW) out = {sqlite3_column_type(st, 0), sqlite3_column_bytes(st, 0)};
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST_F(SqliteLedgerTest, ADestinationEtagEqualToTheSourcesIsStoredOnce) {
  auto l = open(path_);
  const JobId j = l->open_job("j", JobMode::direct)->id;
  std::vector<ListedObject> page{{"same", 10, "\"aa\""}, {"other", 10, "\"bb\""}, {"empty", 10, "\"cc\""},
                                 {"found", 10, "\"dd\""}};
  page[3].at_destination = true;
  ASSERT_TRUE(l->upsert_listed(j, page).has_value());
  auto settle = [&](const std::string& key, const std::string& dest_etag) {
    auto r = **l->find_object(j, key);
    Transition copying = Transition::of(r, ObjectState::copying);
    ASSERT_TRUE(l->queue(copying).has_value());
    ASSERT_TRUE(l->flush().has_value());
    r = **l->find_object(j, key);
    Transition t = Transition::of(r, ObjectState::verified);
    t.update.md5 = Md5Bytes{};
    t.update.dest_etag = dest_etag;
    ASSERT_TRUE(l->queue(t).has_value());
    auto flushed = l->flush();
    ASSERT_TRUE(flushed.has_value());
    ASSERT_TRUE(flushed->rejected.empty());
  };
  settle("same", "\"aa\"");
  settle("other", "\"not-bb\"");
  settle("empty", "");  // a server that answers an empty ETag
  // Equal to the source's: a zero-length BLOB, read back as the source's.
  EXPECT_EQ(stored_dest_etag(path_, "same"), std::make_pair(SQLITE_BLOB, 0));
  EXPECT_EQ((**l->find_object(j, "same")).dest_etag, "\"aa\"");
  EXPECT_EQ(stored_dest_etag(path_, "found"), std::make_pair(SQLITE_BLOB, 0));
  EXPECT_EQ((**l->find_object(j, "found")).dest_etag, "\"dd\"");
  // Anything else as it is.
  EXPECT_EQ(stored_dest_etag(path_, "other"), std::make_pair(SQLITE_TEXT, 8));
  EXPECT_EQ((**l->find_object(j, "other")).dest_etag, "\"not-bb\"");
  EXPECT_EQ(stored_dest_etag(path_, "empty"), std::make_pair(SQLITE_TEXT, 0));
  EXPECT_EQ((**l->find_object(j, "empty")).dest_etag, "");
}

TEST_F(SqliteLedgerTest, MissingFileWithoutCreateIsALedgerError) {
  SqliteLedgerOptions o;
  o.path = dir_ + "/absent.db";
  o.create_if_missing = false;
  auto l = SqliteLedger::open(o);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, kLedgerError);
  EXPECT_NE(l.error().message.find("absent.db"), std::string::npos);
  EXPECT_FALSE(fs::exists(o.path));
}

TEST_F(SqliteLedgerTest, OpenLedgerPicksTheBackendFromTheLocation) {
  // Nothing listens on port 1: the PostgreSQL backend answers that it
  // cannot reach the server (no file is made of the URL).
  auto pg = open_ledger(LedgerOptions{"postgresql://s5j@127.0.0.1:1/s5j?connect_timeout=5", &clock_});
  ASSERT_FALSE(pg.has_value());
  EXPECT_EQ(pg.error().code, kLedgerUnavailable) << pg.error().describe();
  EXPECT_TRUE(pg.error().retryable());
  EXPECT_NE(pg.error().message.find("postgresql://s5j@127.0.0.1:1/s5j"), std::string::npos) << pg.error().message;
  auto sq = open_ledger(LedgerOptions{"sqlite:" + path_, &clock_});
  ASSERT_TRUE(sq.has_value()) << sq.error().describe();
  EXPECT_EQ((*sq)->location(), path_);
  EXPECT_TRUE(fs::exists(path_));
}

}  // namespace
}  // namespace s5j::ledger
