// SqliteLedger, the TransitionQueue part: multipart upload progress (upload
// ids and finished parts).
#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::bind_md5;
using sqlite::bind_u32;
using sqlite::md5_from_blob;
using sqlite::read_upload;
using sqlite::WriteTransaction;

Result<UploadRef> SqliteLedger::begin_upload(const UploadStart& start) {
  std::lock_guard lock(db_mu_);
  // Earlier queued work (e.g. the transition into copying) commits first,
  // so the ledger never holds an upload for an object it thinks is idle.
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  // Any earlier active upload of this object is superseded; it stays
  // listed by open_uploads() until aborted.
  auto ab = state_.db->cached(
      "UPDATE uploads SET status = 'abandoned', updated_at = ?2 WHERE object_id = ?1 AND status = 'active'");
  if (!ab) return std::unexpected(ab.error());
  if (auto r = (*ab)->bind(1, start.object.value).bind(2, now).run(); !r) return std::unexpected(r.error());
  auto ins = state_.db->cached(
      "INSERT INTO uploads(job_id, object_id, key, upload_id, part_size, part_count, status, created_at, updated_at) "
      "SELECT job_id, id, key, ?2, ?3, ?4, 'active', ?5, ?5 FROM objects WHERE id = ?1");
  if (!ins) return std::unexpected(ins.error());
  (*ins)->bind(1, start.object.value).bind_text(2, start.upload_id).bind(3, static_cast<int64_t>(start.part_size));
  (*ins)->bind(4, int64_t{start.part_count}).bind(5, now);
  if (auto r = (*ins)->run(); !r) return std::unexpected(r.error());
  if (state_.db->changes() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "no object " + std::to_string(start.object.value) + " to record upload " + start.upload_id);
  }
  const UploadRef ref{state_.db->last_insert_rowid()};
  if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  return ref;
}

Result<std::optional<UploadProgress>> SqliteLedger::active_upload(ObjectId object) {
  std::lock_guard lock(db_mu_);
  UploadProgress p;
  {
    auto st = state_.db->cached("SELECT " S5J_UPLOAD_COLUMNS
                                " FROM uploads WHERE object_id = ?1 AND status = 'active' ORDER BY id DESC LIMIT 1");
    if (!st) return std::unexpected(st.error());
    (*st)->bind(1, object.value);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<UploadProgress>();
    p.upload = read_upload(**st);
  }
  auto st = state_.db->cached(
      "SELECT part_number, byte_offset, size, etag, md5, crc32c FROM parts WHERE upload_ref = ?1 ORDER BY part_number");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, p.upload.ref.value);
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const auto& s = **st;
    PartRecord part;
    part.part_number = static_cast<uint32_t>(s.get_int(0));
    part.offset = static_cast<uint64_t>(s.get_int(1));
    part.size = static_cast<uint64_t>(s.get_int(2));
    part.etag = s.get_text(3);
    if (!s.is_null(4)) part.md5 = md5_from_blob(s.get_blob(4));
    if (!s.is_null(5)) part.crc32c = static_cast<uint32_t>(s.get_int(5));
    p.parts.push_back(std::move(part));
  }
  return std::optional<UploadProgress>(std::move(p));
}

Result<std::vector<UploadRecord>> SqliteLedger::open_uploads(std::optional<JobId> job) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("SELECT " S5J_UPLOAD_COLUMNS
                              " FROM uploads WHERE status IN ('active', 'abandoned') "
                              "AND (?1 IS NULL OR job_id = ?1) ORDER BY id");
  if (!st) return std::unexpected(st.error());
  if (job) (*st)->bind(1, job->value);
  std::vector<UploadRecord> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_upload(**st));
  }
}

// ---- Queued upload operations, applied by flush_locked() ----

namespace {

Rejection upload_reject(UploadRef ref, std::optional<ObjectId> object, std::string_view code, std::string detail) {
  Rejection r;
  r.upload = ref;
  if (object) r.id = *object;
  r.code = std::string(code);
  r.detail = std::move(detail);
  return r;
}

}  // namespace

Result<std::optional<Rejection>> SqliteLedger::apply_part_locked(const PartOp& op, int64_t now) {
  using Out = std::optional<Rejection>;
  std::string status;
  std::optional<ObjectId> object;
  {
    auto sel = state_.db->cached("SELECT status, object_id FROM uploads WHERE id = ?1");
    if (!sel) return std::unexpected(sel.error());
    (*sel)->bind(1, op.upload.value);
    auto row = (*sel)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Out(upload_reject(op.upload, std::nullopt, kNoSuchUpload, "unknown upload"));
    status = (*sel)->get_text(0);
    if (!(*sel)->is_null(1)) object = ObjectId{(*sel)->get_int(1)};
  }
  if (status != "active") return Out(upload_reject(op.upload, object, kUploadClosed, "upload is " + status));
  auto ins = state_.db->cached(
      "INSERT OR REPLACE INTO parts(upload_ref, part_number, byte_offset, size, etag, md5, crc32c, done_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins) return std::unexpected(ins.error());
  auto& s = **ins;
  s.bind(1, op.upload.value).bind(2, int64_t{op.part.part_number}).bind(3, static_cast<int64_t>(op.part.offset));
  s.bind(4, static_cast<int64_t>(op.part.size)).bind_text(5, op.part.etag);
  bind_md5(s, 6, op.part.md5);
  bind_u32(s, 7, op.part.crc32c);
  s.bind(8, now);
  if (auto r = s.run(); !r) return std::unexpected(r.error());
  return Out();
}

Result<std::optional<Rejection>> SqliteLedger::apply_upload_end_locked(const UploadEndOp& op, int64_t now) {
  using Out = std::optional<Rejection>;
  auto upd = state_.db->cached(
      "UPDATE uploads SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status IN ('active', 'abandoned')");
  if (!upd) return std::unexpected(upd.error());
  if (auto r = (*upd)->bind(1, op.upload.value).bind_text(2, to_string(op.status)).bind(3, now).run(); !r) {
    return std::unexpected(r.error());
  }
  if (state_.db->changes() == 0) {
    return Out(upload_reject(op.upload, std::nullopt, kUploadClosed, "upload unknown or already ended"));
  }
  return Out();
}

}  // namespace s5j::ledger
