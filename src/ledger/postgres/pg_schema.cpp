#include "ledger/postgres/pg_schema.h"

#include <array>
#include <chrono>
#include <string>

#include "ledger/ledger_error.h"
#include "ledger/size_class_sql.h"

namespace s5j::ledger::pg {
namespace {

// The tables of the SQLite ledger at its schema 12, in PostgreSQL's types:
// keys (and the opaque staged metadata, and listing scopes) are bytea, so
// they order bytewise and hold any byte; times are bigint milliseconds
// since the Unix epoch (UTC), as the SQLite ledger stores them; lock roles
// sort bytewise (COLLATE "C"), whatever the database's collation.
constexpr const char* kV1 = R"sql(
CREATE TABLE jobs(
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  mode text NOT NULL CHECK (mode IN ('direct', 'staged')),
  created_at bigint NOT NULL
);
CREATE TABLE objects(
  id bigserial PRIMARY KEY,
  job_id bigint NOT NULL REFERENCES jobs(id),
  key bytea NOT NULL,
  size bigint NOT NULL,
  source_etag text NOT NULL,
  source_mtime bigint,
  state text NOT NULL CHECK (state IN ('pending', 'copying', 'staging', 'staged', 'uploading',
                                       'verified', 'failed', 'vanished')),
  attempts bigint NOT NULL DEFAULT 0,
  last_error text,
  error_at bigint,
  md5 bytea,
  crc32c bigint,
  dest_etag text,
  lease_owner text,
  lease_expires bigint NOT NULL DEFAULT 0,
  lease_epoch bigint NOT NULL DEFAULT 0,
  staged_volume text,
  staged_path text,
  staged_size bigint,
  staged_md5 bytea,
  staged_crc32c bigint,
  staged_metadata bytea,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (job_id, key)
);
CREATE INDEX objects_claim ON objects(job_id, state, lease_expires) WHERE state <> 'verified';
CREATE INDEX objects_errors ON objects(job_id, error_at) WHERE error_at IS NOT NULL;
CREATE TABLE object_totals(
  job_id bigint NOT NULL,
  state text NOT NULL,
  objects bigint NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (job_id, state)
);
CREATE TABLE uploads(
  id bigserial PRIMARY KEY,
  job_id bigint NOT NULL REFERENCES jobs(id),
  object_id bigint,
  key bytea NOT NULL,
  upload_id text NOT NULL,
  part_size bigint NOT NULL,
  part_count bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'completed', 'aborted', 'abandoned')),
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX uploads_object ON uploads(object_id, status);
CREATE INDEX uploads_open ON uploads(status, job_id);
CREATE TABLE parts(
  upload_ref bigint NOT NULL REFERENCES uploads(id),
  part_number integer NOT NULL,
  byte_offset bigint NOT NULL,
  size bigint NOT NULL,
  etag text NOT NULL,
  md5 bytea,
  crc32c bigint,
  done_at bigint NOT NULL,
  PRIMARY KEY (upload_ref, part_number)
);
CREATE TABLE runs(
  id bigserial PRIMARY KEY,
  job_id bigint NOT NULL REFERENCES jobs(id),
  pid bigint NOT NULL,
  host text NOT NULL,
  command text NOT NULL,
  version text NOT NULL,
  started_at bigint NOT NULL,
  ended_at bigint,
  outcome text,
  exit_code integer
);
CREATE INDEX runs_job ON runs(job_id, id);
CREATE TABLE job_locks(
  job_id bigint NOT NULL REFERENCES jobs(id),
  role text COLLATE "C" NOT NULL DEFAULT '',
  owner text COLLATE "C" NOT NULL,
  shared boolean NOT NULL DEFAULT false,
  pid bigint NOT NULL,
  host text NOT NULL,
  acquired_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  activity text,
  activity_since bigint,
  activity_wanted_bytes bigint,
  activity_next_scan_at bigint,
  activity_detail text,
  activity_retry_at bigint,
  PRIMARY KEY (job_id, role, owner)
);
CREATE TABLE listings(
  id bigserial PRIMARY KEY,
  job_id bigint NOT NULL REFERENCES jobs(id),
  scope bytea NOT NULL,
  started_at bigint NOT NULL
);
CREATE INDEX listings_job ON listings(job_id);
CREATE TABLE listing_ranges(
  id bigserial PRIMARY KEY,
  listing_id bigint NOT NULL REFERENCES listings(id),
  after_key bytea NOT NULL,
  through_key bytea,
  cursor bytea NOT NULL,
  done boolean NOT NULL DEFAULT false,
  objects bigint NOT NULL DEFAULT 0,
  pages bigint NOT NULL DEFAULT 0,
  lease_owner text,
  lease_expires bigint NOT NULL DEFAULT 0
);
CREATE INDEX listing_ranges_open ON listing_ranges(listing_id, done);
)sql";

// As SQLite's schema 13: the totals split by object-size class
// (ledger/size_class.h), and each lock holder's heartbeat time and the
// figures it publishes (set_run_figures). Existing locks count as renewed
// when taken.
constexpr const char* kV2 =
    "CREATE TABLE object_totals_v2(\n"
    "  job_id bigint NOT NULL,\n"
    "  state text NOT NULL,\n"
    "  size_class integer NOT NULL,\n"
    "  objects bigint NOT NULL,\n"
    "  bytes bigint NOT NULL,\n"
    "  PRIMARY KEY (job_id, state, size_class)\n"
    ");\n"
    "INSERT INTO object_totals_v2(job_id, state, size_class, objects, bytes)\n"
    "  SELECT job_id, state, " S5J_SQL_SIZE_CLASS_OF_SIZE " AS c, count(*), coalesce(sum(size), 0)\n"
    "  FROM objects GROUP BY job_id, state, c;\n"
    "DROP TABLE object_totals;\n"
    "ALTER TABLE object_totals_v2 RENAME TO object_totals;\n"
    "ALTER INDEX object_totals_v2_pkey RENAME TO object_totals_pkey;\n"
    "ALTER TABLE job_locks ADD COLUMN renewed_at bigint NOT NULL DEFAULT 0;\n"
    "UPDATE job_locks SET renewed_at = acquired_at;\n"
    "ALTER TABLE job_locks ADD COLUMN figures text;\n";

// The host whose volumes hold a staged copy (StagedCopy::host), as SQLite's
// schema 14 has it.
constexpr const char* kV3 = "ALTER TABLE objects ADD COLUMN staged_host text;\n";

// The CRC-64/NVME of the source bytes (SQLite's schema 15): all 64 bits in
// the signed bigint.
constexpr const char* kV4 = "ALTER TABLE objects ADD COLUMN crc64nvme bigint;\n";

constexpr std::array kMigrations{
    Migration{1, "the ledger's tables as SQLite's schema 12 has them", kV1},
    Migration{2, "totals by size class, lock heartbeats and run figures", kV2},
    Migration{3, "the host of each staged copy", kV3},
    Migration{4, "CRC-64/NVME of the source bytes", kV4},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations.back().version; }

Status migrate(Connection& c, const std::string& location) {
  auto txn = Transaction::begin(c);
  if (!txn) return std::unexpected(txn.error());
  // Held to the end of the transaction: a second opener waits here, then
  // finds the migrations applied.
  if (auto r = c.exec("SELECT pg_advisory_xact_lock($1)", Params().i64(kMigrationLockKey)); !r)
    return std::unexpected(r.error());
  if (auto st = c.script("CREATE TABLE IF NOT EXISTS schema_version(version integer PRIMARY KEY, "
                         "description text NOT NULL, applied_at bigint NOT NULL)");
      !st)
    return st;
  auto current = c.exec("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!current) return std::unexpected(current.error());
  const int version = static_cast<int>(current->i64(0, 0));
  if (version > latest_schema_version()) {
    return ledger_error(ErrorKind::fatal, kLedgerError,
                        "PostgreSQL ledger " + location + " was written by a newer s5jtransfer (schema " +
                            std::to_string(version) + ", this build knows up to " +
                            std::to_string(latest_schema_version()) +
                            "); run that version or newer, or point ledger.postgres_url elsewhere");
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    if (auto st = c.script(m.sql); !st) return st;
    auto ins = c.exec("INSERT INTO schema_version(version, description, applied_at) VALUES ($1, $2, $3)",
                      Params().i64(m.version).text(m.description).i64(now));
    if (!ins) return std::unexpected(ins.error());
  }
  return txn->commit();
}

}  // namespace s5j::ledger::pg
