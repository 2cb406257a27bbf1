#include "ledger/sqlite/sqlite_schema.h"

#include <array>
#include <chrono>
#include <string>

#include "ledger/ledger_error.h"
#include "ledger/size_class_sql.h"

namespace s5j::ledger::sqlite {
namespace {

// Keys are BLOBs so SQLite orders them with memcmp (S3's binary order) and
// never applies text collation or encoding. Times are integer milliseconds
// since the Unix epoch (UTC). CRCs are stored as non-negative integers.
constexpr const char* kV1 = R"sql(
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  mode TEXT NOT NULL CHECK (mode IN ('direct', 'staged')),
  created_at INTEGER NOT NULL
);
CREATE TABLE objects(
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  key BLOB NOT NULL,
  size INTEGER NOT NULL,
  source_etag TEXT NOT NULL,
  source_mtime INTEGER,
  state TEXT NOT NULL CHECK (state IN ('pending', 'copying', 'staging', 'staged', 'uploading',
                                       'verified', 'failed', 'vanished')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  error_at INTEGER,
  md5 BLOB,
  crc32c INTEGER,
  dest_etag TEXT,
  lease_owner TEXT,
  lease_expires INTEGER NOT NULL DEFAULT 0,
  staged_volume TEXT,
  staged_path TEXT,
  staged_size INTEGER,
  staged_md5 BLOB,
  staged_crc32c INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (job_id, key)
);
CREATE INDEX objects_claim ON objects(job_id, state, lease_expires);
CREATE TABLE uploads(
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  object_id INTEGER,
  key BLOB NOT NULL,
  upload_id TEXT NOT NULL,
  part_size INTEGER NOT NULL,
  part_count INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'aborted', 'abandoned')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX uploads_object ON uploads(object_id, status);
CREATE INDEX uploads_open ON uploads(status, job_id);
CREATE TABLE parts(
  upload_ref INTEGER NOT NULL REFERENCES uploads(id),
  part_number INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  md5 BLOB,
  crc32c INTEGER,
  done_at INTEGER NOT NULL,
  PRIMARY KEY (upload_ref, part_number)
) WITHOUT ROWID;
)sql";

constexpr const char* kV2 = R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  command TEXT NOT NULL,
  version TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  outcome TEXT,
  exit_code INTEGER
);
CREATE INDEX runs_job ON runs(job_id, id);
CREATE TABLE job_locks(
  job_id INTEGER PRIMARY KEY REFERENCES jobs(id),
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
)sql";

constexpr const char* kV3 = R"sql(
CREATE INDEX objects_errors ON objects(job_id, error_at) WHERE error_at IS NOT NULL;
)sql";

// Locks per role: `stage` and `drain` of one job run side by side, each
// excluding a second run of its own role; '' is the whole job (sync, reset),
// which excludes every role. Existing locks become whole-job locks.
constexpr const char* kV4 = R"sql(
CREATE TABLE job_locks_v4(
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  role TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, role)
);
INSERT INTO job_locks_v4(job_id, role, owner, pid, host, acquired_at, expires_at)
  SELECT job_id, '', owner, pid, host, acquired_at, expires_at FROM job_locks;
DROP TABLE job_locks;
ALTER TABLE job_locks_v4 RENAME TO job_locks;
)sql";

// The source object's metadata travels with its staged copy to the upload
// leg, which may run elsewhere and later (stage now, drain later).
constexpr const char* kV5 = R"sql(
ALTER TABLE objects ADD COLUMN staged_metadata TEXT;
)sql";

// What a run holding a lock is doing now (transferring, waiting_for_space,
// scanning, ...), published by it on change, so `s5j status` in another
// process can say it. NULL: nothing published (older runs).
constexpr const char* kV6 = R"sql(
ALTER TABLE job_locks ADD COLUMN activity TEXT;
ALTER TABLE job_locks ADD COLUMN activity_since INTEGER;
ALTER TABLE job_locks ADD COLUMN activity_wanted_bytes INTEGER;
ALTER TABLE job_locks ADD COLUMN activity_next_scan_at INTEGER;
)sql";

// A run waiting for a side that refuses it (destination_refused) says why
// and when it tries again.
constexpr const char* kV8 = R"sql(
ALTER TABLE job_locks ADD COLUMN activity_detail TEXT;
ALTER TABLE job_locks ADD COLUMN activity_retry_at INTEGER;
)sql";

// Per-state object counts and bytes of every job, kept in the same
// transaction as each change to `objects` (sqlite/object_totals.h), so
// `status` reads a handful of rows instead of grouping every object (10^8
// at the scale this tool is for).
constexpr const char* kV9 = R"sql(
CREATE TABLE object_totals(
  job_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  objects INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (job_id, state)
) WITHOUT ROWID;
INSERT INTO object_totals(job_id, state, objects, bytes)
  SELECT job_id, state, count(*), coalesce(sum(size), 0) FROM objects GROUP BY job_id, state;
)sql";

// The claim index without verified rows: they are never claimed, and in
// the end they are nearly all of a job's rows (about 20 bytes each of the
// 250 a row takes, measured with bench/ledger_scale.sh). Queries meant for
// it repeat its WHERE (S5J_CLAIM_INDEX_WHERE in sqlite_rows.h).
constexpr const char* kV10 = R"sql(
DROP INDEX objects_claim;
CREATE INDEX objects_claim ON objects(job_id, state, lease_expires) WHERE state != 'verified';
)sql";

// Source listings in progress (ledger/listing_ranges.h): a listing per job
// and scope, its key ranges as leased work items, each with the cursor that
// moves in the same transaction as the records of the page it ends. Keys
// are BLOBs, compared with memcmp as the objects' keys are. A finished
// listing is deleted, so the tables hold only what a run would resume; ids
// are never reused, so a lister still holding a range of a finished
// listing cannot commit into a range of the next one.
constexpr const char* kV11 = R"sql(
CREATE TABLE listings(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  scope BLOB NOT NULL,
  started_at INTEGER NOT NULL
);
CREATE INDEX listings_job ON listings(job_id);
CREATE TABLE listing_ranges(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  listing_id INTEGER NOT NULL REFERENCES listings(id),
  after_key BLOB NOT NULL,
  through_key BLOB,
  cursor BLOB NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  objects INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX listing_ranges_open ON listing_ranges(listing_id, done);
)sql";

// Cooperating workers (ledger.h, cooperative()): the fencing token every
// claim increments (ObjectRecord::lease_epoch), and shared job locks, which
// several owners hold on one role at once, so a lock row is keyed by its
// owner too. Existing locks stay, exclusive.
constexpr const char* kV12 = R"sql(
ALTER TABLE objects ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
CREATE TABLE job_locks_v12(
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  role TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL,
  shared INTEGER NOT NULL DEFAULT 0,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  activity TEXT,
  activity_since INTEGER,
  activity_wanted_bytes INTEGER,
  activity_next_scan_at INTEGER,
  activity_detail TEXT,
  activity_retry_at INTEGER,
  PRIMARY KEY (job_id, role, owner)
);
INSERT INTO job_locks_v12(job_id, role, owner, pid, host, acquired_at, expires_at, activity, activity_since,
                          activity_wanted_bytes, activity_next_scan_at, activity_detail, activity_retry_at)
  SELECT job_id, role, owner, pid, host, acquired_at, expires_at, activity, activity_since, activity_wanted_bytes,
         activity_next_scan_at, activity_detail, activity_retry_at FROM job_locks;
DROP TABLE job_locks;
ALTER TABLE job_locks_v12 RENAME TO job_locks;
)sql";

// The totals split by object-size class (ledger/size_class.h), for an ETA
// that weighs what is left by how long objects of its size take, and each
// lock holder's heartbeat time and the figures it publishes
// (set_run_figures). Existing locks count as renewed when taken.
constexpr const char* kV13 =
    "CREATE TABLE object_totals_v13(\n"
    "  job_id INTEGER NOT NULL,\n"
    "  state TEXT NOT NULL,\n"
    "  size_class INTEGER NOT NULL,\n"
    "  objects INTEGER NOT NULL,\n"
    "  bytes INTEGER NOT NULL,\n"
    "  PRIMARY KEY (job_id, state, size_class)\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO object_totals_v13(job_id, state, size_class, objects, bytes)\n"
    "  SELECT job_id, state, " S5J_SQL_SIZE_CLASS_OF_SIZE " AS size_class, count(*), coalesce(sum(size), 0)\n"
    "  FROM objects GROUP BY job_id, state, size_class;\n"
    "DROP TABLE object_totals;\n"
    "ALTER TABLE object_totals_v13 RENAME TO object_totals;\n"
    "ALTER TABLE job_locks ADD COLUMN renewed_at INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE job_locks SET renewed_at = acquired_at;\n"
    "ALTER TABLE job_locks ADD COLUMN figures TEXT;\n";

// The host whose volumes hold a staged copy (StagedCopy::host), so that
// cooperating relays on several hosts each upload their own files and take
// back a vanished host's. Existing staged copies keep an unknown host.
constexpr const char* kV14 = "ALTER TABLE objects ADD COLUMN staged_host TEXT;\n";

// The CRC-64/NVME of the source bytes, computed in flight when the
// destination's checksum_algorithm is crc64nvme: what verify compares a
// destination's x-amz-checksum-crc64nvme with. All 64 bits in the signed
// INTEGER.
constexpr const char* kV15 = "ALTER TABLE objects ADD COLUMN crc64nvme INTEGER;\n";

// No change of the tables: a destination ETag equal to the source's is
// stored from now on as a zero-length BLOB (sqlite_rows.h,
// bind_dest_etag), which an older s5j would read as no ETag; the version
// keeps such a binary from opening the file.
constexpr const char* kV16 = nullptr;

// Version 1 wrote the state CHECK as an IN list. SQLite evaluates an IN
// list of more than two constants by building a temporary index, with its
// own page cache (87 KB from malloc), on every INSERT and on every UPDATE
// that sets `state`: that doubled the cost of a state transition. The same
// rule as a chain of comparisons costs nothing noticeable.
constexpr const char* kStateCheckV1 =
    "CHECK (state IN ('pending', 'copying', 'staging', 'staged', 'uploading',\n"
    "                                       'verified', 'failed', 'vanished'))";
constexpr const char* kStateCheckV7 =
    "CHECK (state = 'pending' OR state = 'copying' OR state = 'staging' OR state = 'staged' OR\n"
    "                         state = 'uploading' OR state = 'verified' OR state = 'failed' OR state = 'vanished')";

Result<int64_t> single_int(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return *row ? st->get_int(0) : 0;
}

// A CHECK constraint lives only in the schema text, not in the file's
// pages, so it is changed in place, as SQLite documents for such changes
// (ALTER TABLE, "making other kinds of table schema changes"): rewrite the
// text, bump the schema cookie so other connections reload it, and RESET
// so this one does too. Copying every object row into a new table instead
// would write the whole ledger through the WAL once.
Status rewrite_state_check(Database& db) {
  auto cookie = single_int(db, "PRAGMA schema_version");
  if (!cookie) return std::unexpected(cookie.error());
  if (auto st = db.exec("PRAGMA writable_schema = ON"); !st) return st;
  auto rewrite = db.prepare(
      "UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2) WHERE type = 'table' AND name = 'objects'");
  Status rewritten = rewrite ? rewrite->bind_text(1, kStateCheckV1).bind_text(2, kStateCheckV7).run()
                             : std::unexpected(rewrite.error());
  if (rewritten) rewritten = db.exec("PRAGMA schema_version = " + std::to_string(*cookie + 1));
  // Always: writable_schema must not stay on, and RESET makes this
  // connection parse the schema again (a failure rolls the text back with
  // the transaction).
  if (auto st = db.exec("PRAGMA writable_schema = RESET"); !st && rewritten) return st;
  return rewritten;
}

constexpr std::array kMigrations{
    Migration{1, "objects, uploads and parts", kV1},
    Migration{2, "run history and job locks", kV2},
    Migration{3, "index of recent errors", kV3},
    Migration{4, "job locks per role (stage, drain)", kV4},
    Migration{5, "metadata of staged copies", kV5},
    Migration{6, "activity of the run holding a lock", kV6},
    Migration{7, "state check without a temporary index", nullptr, &rewrite_state_check},
    Migration{8, "why a run waits for a refusing side", kV8},
    Migration{9, "per-state object totals", kV9},
    Migration{10, "claim index without verified rows", kV10},
    Migration{11, "source listings in progress: key ranges and their cursors", kV11},
    Migration{12, "fencing epochs of leases, shared job locks", kV12},
    Migration{13, "totals by size class, lock heartbeats and run figures", kV13},
    Migration{14, "the host of each staged copy", kV14},
    Migration{15, "CRC-64/NVME of the source bytes", kV15},
    Migration{16, "a destination ETag equal to the source's stored once", kV16},
};

Error not_a_ledger(const Database& db, const std::string& why) {
  Error e;
  e.kind = ErrorKind::fatal;
  e.code = kLedgerError;
  e.message = db.path() + " is not an s5jtransfer ledger (" + why +
              "); point --ledger at the job's ledger file, or move this file away to start a new ledger";
  return e;
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations.back().version; }

Result<int> read_schema_version(Database& db) {
  auto has_table = single_int(db, "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='schema_version'");
  if (!has_table) return std::unexpected(has_table.error());
  if (*has_table == 0) return 0;
  auto v = single_int(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  if (!v) return std::unexpected(v.error());
  return static_cast<int>(*v);
}

Status check_ledger_file(Database& db) {
  // The first read is where SQLite notices a file that is no database.
  auto objects = single_int(db, "SELECT count(*) FROM sqlite_schema");
  if (!objects) {
    if (objects.error().code == kLedgerBusy) return std::unexpected(objects.error());
    return std::unexpected(not_a_ledger(db, "not an SQLite database: " + objects.error().message));
  }
  if (*objects == 0) return {};  // new, empty file
  auto app = single_int(db, "PRAGMA application_id");
  if (!app) return std::unexpected(app.error());
  if (*app != kApplicationId) return std::unexpected(not_a_ledger(db, "an SQLite database of another program"));
  auto version = read_schema_version(db);
  if (!version) return std::unexpected(version.error());
  if (*version > latest_schema_version()) {
    Error e;
    e.kind = ErrorKind::fatal;
    e.code = kLedgerError;
    e.message = db.path() + " was written by a newer s5jtransfer (schema " + std::to_string(*version) +
                ", this build knows up to " + std::to_string(latest_schema_version()) +
                "); run that version or newer, or point --ledger elsewhere";
    return std::unexpected(e);
  }
  return {};
}

Status migrate(Database& db, int target_version) {
  if (target_version <= 0) target_version = latest_schema_version();
  auto version = read_schema_version(db);
  if (!version) return std::unexpected(version.error());
  if (*version >= target_version) return {};

  auto txn = WriteTransaction::begin(db);
  if (!txn) return std::unexpected(txn.error());
  // Another process may have migrated between our read and the lock.
  auto locked_version = read_schema_version(db);
  if (!locked_version) return std::unexpected(locked_version.error());
  if (*locked_version >= target_version) return {};
  if (*locked_version == 0) {
    if (auto st = db.exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                          "; CREATE TABLE schema_version(version INTEGER PRIMARY KEY, "
                          "description TEXT NOT NULL, applied_at INTEGER NOT NULL);");
        !st) {
      return st;
    }
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const Migration& m : kMigrations) {
    if (m.version <= *locked_version || m.version > target_version) continue;
    if (m.sql != nullptr)
      if (auto st = db.exec(m.sql); !st) return st;
    if (m.apply != nullptr)
      if (auto st = m.apply(db); !st) return st;
    auto ins = db.prepare("INSERT INTO schema_version(version, description, applied_at) VALUES (?1, ?2, ?3)");
    if (!ins) return std::unexpected(ins.error());
    if (auto st = ins->bind(1, m.version).bind_text(2, m.description).bind(3, now).run(); !st) return st;
  }
  return txn->commit();
}

}  // namespace s5j::ledger::sqlite
