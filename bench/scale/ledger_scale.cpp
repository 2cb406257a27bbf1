// s5j_ledger_scale: a job ledger of N objects made directly (SQL, not a
// listing), then what costs grow with N: the file's bytes per object, the
// per-state totals `s5j status` reads, claiming and settling objects at
// the far end of the key space, and a recent-errors query.
//
//   s5j_ledger_scale --ledger PATH --objects N [--verified-fraction F]
//
// Keys look like an archive's ("archive/2019/07/<dir>/<file>-<n>.dat",
// ~48 bytes), sizes spread 1 KiB..64 MiB, ETags MD5-shaped; the first F of
// the keys (default 0.5) are verified with an MD5 and a CRC-32C (spread
// over all 32 bits, as real ones are) recorded and a destination ETag equal
// to the source's, stored as the ledger stores it (a zero-length BLOB:
// sqlite_rows.h), the rest pending. Prints one line per figure (bench/ledger_scale.sh runs it
// and times `s5j status` on the same file).
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "ledger/size_class_sql.h"
#include "ledger/sqlite/sqlite_ledger.h"

using namespace s5j;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

bool exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "ledger_scale: %s\n", err ? err : "sqlite error");
    sqlite3_free(err);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"a ledger of N objects, and what its size costs"};
  std::string path;
  uint64_t objects = 1'000'000;
  double verified_fraction = 0.5;
  app.add_option("--ledger", path, "ledger file to create (must not exist)")->required();
  app.add_option("--objects", objects, "objects in the job");
  app.add_option("--verified-fraction", verified_fraction, "share of objects already verified");
  CLI11_PARSE(app, argc, argv);
  if (std::filesystem::exists(path)) {
    std::fprintf(stderr, "ledger_scale: %s exists; give a new path\n", path.c_str());
    return 2;
  }

  // The schema and the job through the ledger itself.
  ledger::JobId job;
  {
    auto ledger = ledger::SqliteLedger::open(ledger::SqliteLedgerOptions{.path = path});
    if (!ledger) return std::fprintf(stderr, "ledger_scale: %s\n", ledger.error().describe().c_str()), 1;
    job = (*ledger)->open_job("scale", ledger::JobMode::direct)->id;
  }

  // The rows, in key order (as a sorted listing inserts them), in one
  // transaction per million, then the totals the ledger keeps.
  auto t0 = Steady::now();
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144");
  const uint64_t verified_below = static_cast<uint64_t>(static_cast<double>(objects) * verified_fraction);
  for (uint64_t from = 0; from < objects; from += 1'000'000) {
    const uint64_t to = std::min(objects, from + 1'000'000);
    const std::string sql =
        "BEGIN; WITH RECURSIVE n(x) AS (SELECT " + std::to_string(from) + " UNION ALL SELECT x + 1 FROM n WHERE x + 1 < " +
        std::to_string(to) +
        ") INSERT INTO objects(job_id, key, size, source_etag, source_mtime, state, attempts, md5, crc32c, dest_etag, "
        "created_at, updated_at) SELECT " + std::to_string(job.value) +
        ", CAST(printf('archive/2019/07/%05d/file-%012d.dat', x / 1000, x) AS BLOB), 1024 + (x * 2654435761) % "
        "67108864, printf('\"%016x%016x\"', x * 11400714819323198485, x), 1700000000000, "
        "CASE WHEN x < " + std::to_string(verified_below) +
        " THEN 'verified' ELSE 'pending' END, CASE WHEN x < " + std::to_string(verified_below) +
        " THEN 1 ELSE 0 END, CASE WHEN x < " + std::to_string(verified_below) +
        " THEN randomblob(16) END, CASE WHEN x < " + std::to_string(verified_below) +
        " THEN (x * 2654435761) % 4294967296 END, CASE WHEN x < " + std::to_string(verified_below) +
        " THEN x'' END, 1700000000000, 1700000000000 FROM n; COMMIT;";
    if (!exec(db, sql)) return 1;
    if ((to / 1'000'000) % 10 == 0 || to == objects)
      std::fprintf(stderr, "ledger_scale: %llu rows, %.0f s\n", static_cast<unsigned long long>(to), seconds_since(t0));
  }
  if (!exec(db, "DELETE FROM object_totals; INSERT INTO object_totals(job_id, state, size_class, objects, bytes) "
                "SELECT job_id, state, " S5J_SQL_SIZE_CLASS_OF_SIZE ", count(*), sum(size) FROM objects "
                "GROUP BY 1, 2, 3")) {
    return 1;
  }
  exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  const double fill_s = seconds_since(t0);
  const auto file_bytes = std::filesystem::file_size(path);
  std::printf("objects %llu\n", static_cast<unsigned long long>(objects));
  std::printf("fill_seconds %.1f\n", fill_s);
  std::printf("file_bytes %llu\n", static_cast<unsigned long long>(file_bytes));
  std::printf("bytes_per_object %.1f\n", static_cast<double>(file_bytes) / static_cast<double>(objects));

  auto ledger = ledger::SqliteLedger::open(ledger::SqliteLedgerOptions{.path = path});
  if (!ledger) return std::fprintf(stderr, "ledger_scale: %s\n", ledger.error().describe().c_str()), 1;
  auto& l = **ledger;
  t0 = Steady::now();
  auto totals = l.totals(job);
  std::printf("totals_ms %.3f\n", seconds_since(t0) * 1000);
  uint64_t counted = 0;
  for (const auto& t : *totals) counted += t.objects;
  if (counted != objects) std::fprintf(stderr, "ledger_scale: totals count %llu objects\n", (unsigned long long)counted);

  // Claims at the far end of the key space: the first pending key is
  // verified_below, half way in; each batch then settles its objects.
  t0 = Steady::now();
  uint64_t claimed = 0;
  for (int batch = 0; batch < 100; ++batch) {
    auto got = l.claim(ledger::ClaimRequest{job, 256, "bench", std::chrono::minutes(5), {ledger::ObjectState::pending}});
    if (!got || got->empty()) break;
    for (const auto& r : *got) {
      (void)l.queue(ledger::Transition::of(r, ledger::ObjectState::copying, "bench"));
    }
    (void)l.flush();
    for (const auto& r : *got) {
      auto t = ledger::Transition::of(r, ledger::ObjectState::verified, "bench");
      t.from = ledger::ObjectState::copying;
      t.update.crc32c = 1;
      (void)l.queue(t);
    }
    (void)l.flush();
    claimed += got->size();
  }
  const double claim_s = seconds_since(t0);
  std::printf("claimed_and_verified %llu\n", static_cast<unsigned long long>(claimed));
  std::printf("claim_settle_per_second %.0f\n", static_cast<double>(claimed) / claim_s);
  t0 = Steady::now();
  (void)l.recent_errors(job, 50);
  std::printf("recent_errors_ms %.3f\n", seconds_since(t0) * 1000);
  return 0;
}
