// What only the PostgreSQL ledger has, against a real PostgreSQL 15:
// migrations by several openers at once, reconnecting after the server
// restarted (on a private server this test starts and stops, so the
// shared fixture's other tests are not disturbed), the password kept out
// of every message, and concurrent claimers never sharing a record.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger_error.h"
#include "ledger/open_ledger.h"
#include "ledger/postgres/pg_schema.h"
#include "support/test_env.h"
#include "unit/ledger/fake_clock.h"
#include "unit/ledger/postgres_store.h"

namespace s5j::ledger {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

ListedObject listed(std::string key) { return ListedObject{std::move(key), 100, "etag", std::nullopt}; }

// The fixture's URL with another password in it.
std::string with_password(const std::string& url, const std::string& password) {
  const auto at = url.find('@');
  const auto scheme_end = url.find("://") + 3;
  const auto colon = url.find(':', scheme_end);
  return url.substr(0, colon) + ":" + password + url.substr(at);
}

std::string without_password(const std::string& url) {
  const auto at = url.find('@');
  const auto scheme_end = url.find("://") + 3;
  const auto colon = url.find(':', scheme_end);
  return url.substr(0, colon) + url.substr(at);
}

TEST(PostgresUrl, LocationHasNoPasswordAndKeepsTheOptions) {
  auto parsed = parse_postgres_url("postgresql://alice:s3cr%40t@db.example:6543/ledger?sslmode=require&connect_timeout=5");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().describe();
  EXPECT_EQ(parsed->password, "s3cr@t");
  EXPECT_EQ(parsed->redacted.find("s3cr"), std::string::npos) << parsed->redacted;
  EXPECT_NE(parsed->redacted.find("alice@db.example:6543/ledger"), std::string::npos) << parsed->redacted;
  EXPECT_NE(parsed->redacted.find("sslmode=require"), std::string::npos) << parsed->redacted;
  EXPECT_NE(parsed->redacted.find("connect_timeout=5"), std::string::npos) << parsed->redacted;
  auto bad = parse_postgres_url("postgresql://alice:pw@host/db?nosuchoption=1");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, kLedgerError);
  EXPECT_EQ(bad.error().message.find(":pw@"), std::string::npos) << bad.error().message;
}

TEST(PostgresLedgerOpen, AWrongPasswordFailsWithoutShowingIt) {
  const std::string secret = "NotThePassword-93k1";
  LedgerOptions o;
  o.location = with_password(s5j::testing::postgres_url(), secret);
  auto opened = open_ledger(o);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, kLedgerError);
  EXPECT_EQ(opened.error().kind, ErrorKind::fatal);
  EXPECT_EQ(opened.error().describe().find(secret), std::string::npos) << opened.error().describe();
  EXPECT_NE(opened.error().message.find("authentication"), std::string::npos) << opened.error().message;
}

TEST(PostgresLedgerOpen, OpensThroughOpenLedgerWithThePasswordFromTheEnvironment) {
  const std::string store = pgtest::fresh_postgres_store();
  ASSERT_FALSE(store.empty());
  auto password = parse_postgres_url(store)->password;
  ::setenv("PGPASSWORD", password.c_str(), 1);
  LedgerOptions o;
  o.location = without_password(store);
  auto opened = open_ledger(o);
  ::unsetenv("PGPASSWORD");
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_TRUE((*opened)->cooperative());
  EXPECT_EQ((*opened)->location().find(password), std::string::npos);
  EXPECT_TRUE((*opened)->location().starts_with("postgresql://s5j_test@127.0.0.1:")) << (*opened)->location();
  // On one machine the server's clock is ours: the measured offset is small.
  auto* pg_ledger = dynamic_cast<PostgresLedger*>(opened->get());
  ASSERT_NE(pg_ledger, nullptr);
  EXPECT_LT(std::abs(pg_ledger->clock_offset().count()), 1000);
  EXPECT_NE(backend_library_versions().find("libpq 15."), std::string::npos) << backend_library_versions();
}

TEST(PostgresLedgerOpen, OpensWithThePasswordFromAPgpassFile) {
  const std::string store = pgtest::fresh_postgres_store();
  ASSERT_FALSE(store.empty());
  const std::string password = parse_postgres_url(store)->password;
  const std::string pgpass = s5j::testing::make_temp_dir("pgpass") + "/pgpass";
  {
    std::ofstream out(pgpass);
    out << "127.0.0.1:" << s5j::testing::postgres_port() << ":*:s5j_test:" << password << "\n";
  }
  std::filesystem::permissions(pgpass, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  ::unsetenv("PGPASSWORD");
  // Without the file, no password: refused, and the message says where
  // passwords come from.
  s5j::testing::FakeClock clock;
  auto refused = pgtest::open_postgres(without_password(store) + "&passfile=/nonexistent", clock);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("pgpass"), std::string::npos) << refused.error().message;
  auto opened = pgtest::open_postgres(without_password(store) + "&passfile=" + pgpass, clock);
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_TRUE((*opened)->open_job("job", JobMode::direct).has_value());
}

TEST(PostgresLedgerOpen, SeveralOpenersOfANewStoreMigrateItOnce) {
  for (int round = 0; round < 3; ++round) {
    const std::string store = pgtest::fresh_postgres_store();
    ASSERT_FALSE(store.empty());
    s5j::testing::FakeClock clock;
    std::vector<std::thread> openers;
    std::atomic<int> opened{0};
    std::vector<std::string> errors(6);
    for (int i = 0; i < 6; ++i) {
      openers.emplace_back([&, i] {
        auto l = pgtest::open_postgres(store, clock);
        if (l) {
          ++opened;
        } else {
          errors[i] = l.error().describe();
        }
      });
    }
    for (auto& t : openers) t.join();
    EXPECT_EQ(opened.load(), 6) << errors[0] << errors[1] << errors[2];
    auto conn = pg::Connection::open(store, "test", "");
    ASSERT_TRUE(conn.has_value());
    auto rows = (*conn)->exec("SELECT count(*), max(version) FROM schema_version");
    ASSERT_TRUE(rows.has_value()) << rows.error().describe();
    EXPECT_EQ(rows->i64(0, 0), pg::latest_schema_version());
    EXPECT_EQ(rows->i64(0, 1), pg::latest_schema_version());
  }
}

// Four instances (each its own connection, as four hosts) claim and settle
// one job's records at once: every record is handed out exactly once.
TEST(PostgresLedgerClaims, ConcurrentClaimersNeverShareARecord) {
  const std::string store = pgtest::fresh_postgres_store();
  ASSERT_FALSE(store.empty());
  s5j::testing::FakeClock clock;
  auto first = pgtest::open_postgres(store, clock);
  ASSERT_TRUE(first.has_value()) << first.error().describe();
  auto job = (*first)->open_job("job", JobMode::direct);
  ASSERT_TRUE(job.has_value());
  constexpr int kObjects = 3000;
  std::vector<ListedObject> page;
  for (int i = 0; i < kObjects; ++i) page.push_back(listed("key-" + std::to_string(i)));
  ASSERT_TRUE((*first)->upsert_listed(job->id, page).has_value());

  constexpr int kWorkers = 4;
  std::vector<std::vector<int64_t>> claimed(kWorkers);
  std::vector<std::string> errors(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      auto l = pgtest::open_postgres(store, clock);
      if (!l) {
        errors[w] = l.error().describe();
        return;
      }
      const std::string owner = "worker-" + std::to_string(w);
      for (;;) {
        auto got = (*l)->claim(ClaimRequest{job->id, 25, owner, minutes(5), {ObjectState::pending}});
        if (!got) {
          errors[w] = got.error().describe();
          return;
        }
        if (got->empty()) break;
        for (const ObjectRecord& r : *got) {
          claimed[w].push_back(r.id.value);
          Transition t = Transition::of(r, ObjectState::copying, owner);
          if (auto q = (*l)->queue(t); !q) errors[w] = q.error().describe();
        }
        auto f = (*l)->flush();
        if (!f || !f->rejected.empty()) {
          errors[w] = f ? "rejected: " + f->rejected.front().code : f.error().describe();
          return;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  std::set<int64_t> seen;
  size_t total = 0;
  for (int w = 0; w < kWorkers; ++w) {
    EXPECT_TRUE(errors[w].empty()) << errors[w];
    total += claimed[w].size();
    seen.insert(claimed[w].begin(), claimed[w].end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kObjects));
  EXPECT_EQ(seen.size(), static_cast<size_t>(kObjects));
  auto totals = (*first)->totals(job->id);
  ASSERT_TRUE(totals.has_value());
  for (const StateTotals& t : *totals) {
    EXPECT_EQ(t.objects, t.state == ObjectState::copying ? static_cast<uint64_t>(kObjects) : 0u)
        << to_string(t.state);
  }
}

// A private server (not the fixture's: other tests use that one at the same
// time), stopped and started again while a ledger is open.
class PostgresRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = s5j::testing::make_temp_dir("pg-restart");
    ASSERT_EQ(script("start"), 0);
    url_ = "postgresql://s5j_test:s5j-test-password@127.0.0.1:" + std::to_string(kPort) + "/s5j_test";
  }
  void TearDown() override { script("stop"); }

  int script(const std::string& action) {
    const std::string cmd = s5j::testing::source_dir() + "/tools/test-postgres.sh " + action + " " + dir_ + " " +
                            std::to_string(kPort) + " >/dev/null";
    return std::system(cmd.c_str());
  }

  static constexpr int kPort = 17493;
  std::string dir_;
  std::string url_;
};

TEST_F(PostgresRestart, CallsFailRetryablyWhileDownAndReconnectAfterwards) {
  s5j::testing::FakeClock clock;
  auto l = pgtest::open_postgres(url_, clock);
  ASSERT_TRUE(l.has_value()) << l.error().describe();
  auto job = (*l)->open_job("job", JobMode::direct);
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE((*l)->upsert_listed(job->id, std::vector<ListedObject>{listed("a"), listed("b")}).has_value());
  auto claimed = (*l)->claim(ClaimRequest{job->id, 2, "w", minutes(5), {ObjectState::pending}});
  ASSERT_TRUE(claimed.has_value() && claimed->size() == 2u);
  for (const ObjectRecord& r : *claimed) ASSERT_TRUE((*l)->queue(Transition::of(r, ObjectState::copying, "w")));

  ASSERT_EQ(script("down"), 0);
  auto failed = (*l)->flush();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, kLedgerUnavailable) << failed.error().describe();
  EXPECT_TRUE(failed.error().retryable());
  EXPECT_TRUE(is_ledger_error(failed.error()));
  EXPECT_EQ(failed.error().message.find("s5j-test-password"), std::string::npos);
  EXPECT_EQ((*l)->queued(), 2u);  // the batch is kept for the retry
  auto read = (*l)->find_object(job->id, "a");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, kLedgerUnavailable);

  ASSERT_EQ(script("up"), 0);
  auto flushed = (*l)->flush();
  ASSERT_TRUE(flushed.has_value()) << flushed.error().describe();
  EXPECT_EQ(flushed->applied, 2u);
  EXPECT_TRUE(flushed->rejected.empty());
  EXPECT_EQ((*l)->queued(), 0u);
  auto a = (*l)->find_object(job->id, "a");
  ASSERT_TRUE(a.has_value() && a->has_value());
  EXPECT_EQ((**a).state, ObjectState::copying);

  // Restarted while the ledger was idle: its next calls reconnect at once.
  ASSERT_EQ(script("down"), 0);
  ASSERT_EQ(script("up"), 0);
  auto b = (*l)->find_object(job->id, "b");
  ASSERT_TRUE(b.has_value()) << b.error().describe();
  ASSERT_TRUE(b->has_value());
  ASSERT_EQ(script("down"), 0);
  ASSERT_EQ(script("up"), 0);
  Transition done = Transition::of(**b, ObjectState::verified, "w");
  done.update.crc32c = 5;
  ASSERT_TRUE((*l)->queue(done).has_value());
  auto again = (*l)->flush();
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  EXPECT_EQ(again->applied, 1u);
}

}  // namespace
}  // namespace s5j::ledger
