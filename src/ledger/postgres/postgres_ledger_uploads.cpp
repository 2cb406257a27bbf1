// PostgresLedger, the TransitionQueue part: multipart upload progress
// (upload ids and finished parts; queued parts are written by the flush).
#include "ledger/ledger_error.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::Params;

Result<UploadRef> PostgresLedger::begin_upload(const UploadStart& start) {
  std::lock_guard lock(db_mu_);
  // Earlier queued work (e.g. the transition into copying) commits first,
  // so the ledger never holds an upload for an object it thinks is idle.
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  // Any earlier active upload of this object is superseded; it stays
  // listed by open_uploads() until aborted.
  auto ab = (*c)->exec(
      "UPDATE uploads SET status = 'abandoned', updated_at = $2 WHERE object_id = $1 AND status = 'active'",
      Params().i64(start.object.value).i64(now));
  if (!ab) return std::unexpected(ab.error());
  auto ins = (*c)->exec(
      "INSERT INTO uploads(job_id, object_id, key, upload_id, part_size, part_count, status, created_at, updated_at) "
      "SELECT job_id, id, key, $2, $3, $4, 'active', $5, $5 FROM objects WHERE id = $1 RETURNING id",
      Params()
          .i64(start.object.value)
          .text(start.upload_id)
          .i64(static_cast<int64_t>(start.part_size))
          .i64(int64_t{start.part_count})
          .i64(now));
  if (!ins) return std::unexpected(ins.error());
  if (ins->size() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "no object " + std::to_string(start.object.value) + " to record upload " + start.upload_id);
  }
  const UploadRef ref{ins->i64(0, 0)};
  if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  return ref;
}

Result<std::optional<UploadProgress>> PostgresLedger::active_upload(ObjectId object) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto up = (*c)->exec("SELECT " S5J_PG_UPLOAD_COLUMNS
                       " FROM uploads WHERE object_id = $1 AND status = 'active' ORDER BY id DESC LIMIT 1",
                       Params().i64(object.value));
  if (!up) return std::unexpected(up.error());
  if (up->size() == 0) return std::optional<UploadProgress>();
  UploadProgress p;
  p.upload = pg::read_upload(*up, 0);
  auto r = (*c)->exec(
      "SELECT part_number, byte_offset, size, etag, md5, crc32c FROM parts WHERE upload_ref = $1 ORDER BY part_number",
      Params().i64(p.upload.ref.value));
  if (!r) return std::unexpected(r.error());
  for (int i = 0; i < r->size(); ++i) {
    PartRecord part;
    part.part_number = static_cast<uint32_t>(r->i64(i, 0));
    part.offset = static_cast<uint64_t>(r->i64(i, 1));
    part.size = static_cast<uint64_t>(r->i64(i, 2));
    part.etag = r->text(i, 3);
    if (!r->is_null(i, 4)) part.md5 = pg::md5_from_bytes(r->bytea(i, 4));
    if (!r->is_null(i, 5)) part.crc32c = static_cast<uint32_t>(r->i64(i, 5));
    p.parts.push_back(std::move(part));
  }
  return std::optional<UploadProgress>(std::move(p));
}

Result<std::vector<UploadRecord>> PostgresLedger::open_uploads(std::optional<JobId> job) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  std::optional<int64_t> j;
  if (job) j = job->value;
  auto r = (*c)->exec("SELECT " S5J_PG_UPLOAD_COLUMNS
                      " FROM uploads WHERE status IN ('active', 'abandoned') AND ($1::bigint IS NULL OR job_id = $1) "
                      "ORDER BY id",
                      Params().opt_i64(j));
  if (!r) return std::unexpected(r.error());
  std::vector<UploadRecord> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(pg::read_upload(*r, i));
  return out;
}

}  // namespace s5j::ledger
