// PostgresLedger, the TransitionQueue part: the queue with group commit.
// A flush is one transaction of a handful of statements whatever its size,
// sent in two round trips (libpq's pipeline mode):
// the rows its operations touch are read and locked at once (objects, then
// uploads, in id order: every writer locks in that order), each operation
// is checked against the rows as the ones before it left them, exactly as
// the SQLite ledger checks them one by one, and the final rows go back in
// one statement per table over unnest() arrays.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "ledger/ledger_error.h"
#include "ledger/queued_checks.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::ArrayLiteral;
using pg::Params;

namespace {

// An object row as a flush sees it, changed in memory by each operation.
struct Row {
  int64_t job = 0;
  ObjectState state = ObjectState::pending;
  std::optional<std::string> lease_owner;
  int64_t lease_expires = 0;
  int64_t lease_epoch = 0;
  int64_t attempts = 0;
  std::optional<Md5Bytes> md5;
  std::optional<uint32_t> crc32c;
  // Only a value this flush records (not read: the UPDATE keeps the stored
  // one when this is null, as SQLite's coalesce does).
  std::optional<uint64_t> crc64nvme;
  std::optional<std::string> dest_etag;
  std::string source_etag;
  int64_t size = 0;
  std::optional<std::string> last_error;
  std::optional<int64_t> error_at;
  std::optional<std::string> staged_volume, staged_path;
  std::optional<int64_t> staged_size;
  std::optional<Md5Bytes> staged_md5;
  std::optional<uint32_t> staged_crc32c;
  std::optional<std::string> staged_metadata;
  std::optional<std::string> staged_host;
  int64_t updated_at = 0;
  bool dirty = false;
};

struct UploadRow {
  std::string status;
  std::optional<ObjectId> object;
  bool dirty = false;
};

struct PartWrite {
  PartRecord part;
  int64_t done_at = 0;
};

Rejection reject(const Transition& t, std::string_view code, std::string detail) {
  Rejection r;
  r.id = t.id;
  r.from = t.from;
  r.to = t.to;
  r.code = std::string(code);
  r.detail = std::move(detail);
  return r;
}

Rejection upload_reject(UploadRef ref, std::optional<ObjectId> object, std::string_view code, std::string detail) {
  Rejection r;
  r.upload = ref;
  if (object) r.id = *object;
  r.code = std::string(code);
  r.detail = std::move(detail);
  return r;
}

template <class T>
std::optional<T> first_of(const std::optional<T>& a, const std::optional<T>& b) {
  return a ? a : b;
}

std::optional<uint32_t> opt_crc(const pg::Rows& r, int i, int col) {
  if (r.is_null(i, col)) return std::nullopt;
  return static_cast<uint32_t>(r.i64(i, col));
}
std::optional<std::string> opt_text(const pg::Rows& r, int i, int col) {
  if (r.is_null(i, col)) return std::nullopt;
  return r.text(i, col);
}
std::optional<int64_t> opt_i64(const pg::Rows& r, int i, int col) {
  if (r.is_null(i, col)) return std::nullopt;
  return r.i64(i, col);
}
std::optional<Md5Bytes> opt_md5(const pg::Rows& r, int i, int col) {
  if (r.is_null(i, col)) return std::nullopt;
  return pg::md5_from_bytes(r.bytea(i, col));
}

// The checks and effects of one transition on its row (as the SQLite
// ledger's apply_transition_locked), or why it does not apply.
std::optional<Rejection> apply_transition(const Transition& t, Row* row, int64_t now, pg::TotalsDelta& totals) {
  if (row == nullptr || row->job != t.job.value) return reject(t, kNoSuchObject, "not in this job");
  if (row->state != t.from) return reject(t, kStateChanged, "object is now " + std::string(to_string(row->state)));
  const std::string holder = row->lease_owner.value_or("");
  if (!t.owner.empty() && holder != t.owner) {
    return reject(t, kLeaseLost, holder.empty() ? "not leased" : "leased to " + holder);
  }
  if (!t.owner.empty() && t.epoch != 0 && static_cast<uint64_t>(row->lease_epoch) != t.epoch) {
    return reject(t, kLeaseLost, "claimed again since (epoch " + std::to_string(row->lease_epoch) + ")");
  }
  const ObjectUpdate& u = t.update;
  if (u.md5 && row->md5 && *u.md5 != *row->md5) return reject(t, kChecksumMismatch, "MD5 differs from recorded");
  if (u.crc32c && row->crc32c && *u.crc32c != *row->crc32c) {
    return reject(t, kChecksumMismatch, "CRC-32C differs from recorded");
  }
  const auto md5 = first_of(u.md5, row->md5);
  const auto crc = first_of(u.crc32c, row->crc32c);
  const bool has_staged = u.staged ? true : row->staged_path.has_value();
  const auto staged_md5 = u.staged ? u.staged->md5 : row->staged_md5;
  const auto staged_crc = u.staged ? u.staged->crc32c : row->staged_crc32c;
  if (md5 && staged_md5 && *md5 != *staged_md5) {
    return reject(t, kChecksumMismatch, "staged copy MD5 differs from source MD5");
  }
  if (crc && staged_crc && *crc != *staged_crc) {
    return reject(t, kChecksumMismatch, "staged copy CRC-32C differs from source CRC-32C");
  }
  const std::string dest_etag = u.dest_etag ? *u.dest_etag : row->dest_etag.value_or("");
  const bool etags_match = !row->source_etag.empty() && dest_etag == row->source_etag;
  if (t.to == ObjectState::verified && !md5 && !crc && !etags_match) {
    return reject(t, kMissingChecksums,
                  "verified needs an MD5 or CRC-32C computed in flight, or a destination ETag equal to the source's");
  }
  if (t.to == ObjectState::staged && t.from != ObjectState::staged && (!has_staged || (!staged_md5 && !staged_crc))) {
    return reject(t, kMissingStagedCopy, "staged needs a staged path and checksum");
  }
  // Attempts and leases as the SQLite ledger counts them (docs/ledger.md).
  const bool new_pass = (t.to == ObjectState::copying || t.to == ObjectState::staging) && t.from != t.to;
  const bool upload_retry =
      t.to == ObjectState::staged && (t.from == ObjectState::uploading || t.from == ObjectState::failed);
  if (new_pass || upload_retry) ++row->attempts;
  if (!is_active(t.to)) {
    row->lease_owner.reset();
    row->lease_expires = 0;
  }
  if (u.md5) row->md5 = u.md5;
  if (u.crc32c) row->crc32c = u.crc32c;
  if (u.crc64nvme) row->crc64nvme = u.crc64nvme;
  if (u.dest_etag) row->dest_etag = u.dest_etag;
  if (u.error) {
    row->last_error = u.error;
    row->error_at = now;
  }
  if (u.staged) {
    row->staged_volume = u.staged->volume;
    row->staged_path = u.staged->path;
    row->staged_size = static_cast<int64_t>(u.staged->size);
    row->staged_md5 = u.staged->md5;
    row->staged_crc32c = u.staged->crc32c;
    row->staged_metadata = u.staged->metadata.empty() ? std::nullopt : std::optional<std::string>(u.staged->metadata);
    row->staged_host = u.staged->host.empty() ? std::nullopt : std::optional<std::string>(u.staged->host);
  } else if (t.to == ObjectState::pending) {
    // Back to pending means "fetch it from the source again".
    row->staged_volume.reset();
    row->staged_path.reset();
    row->staged_size.reset();
    row->staged_md5.reset();
    row->staged_crc32c.reset();
    row->staged_metadata.reset();
    row->staged_host.reset();
  }
  totals.move(t.job, t.from, t.to, row->size);
  row->state = t.to;
  row->updated_at = now;
  row->dirty = true;
  return std::nullopt;
}

}  // namespace

// ---- Queue ----

Status PostgresLedger::enqueue(QueuedOp op) {
  bool full = false;
  {
    std::lock_guard q(queue_mu_);
    ops_.push_back(std::move(op));
    full = options_.auto_flush_at != 0 && ops_.size() >= options_.auto_flush_at;
  }
  if (!full) return {};
  std::lock_guard lock(db_mu_);
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  return {};
}

Status PostgresLedger::queue(Transition t) {
  auto mode = job_mode(t.job);
  if (!mode) return std::unexpected(mode.error());
  if (auto checked = check_queued_transition(*mode, t); !checked) return checked;
  return enqueue(std::move(t));
}

Status PostgresLedger::queue_part(UploadRef upload, PartRecord part) {
  if (auto checked = check_queued_part(part); !checked) return checked;
  return enqueue(PartOp{upload, std::move(part)});
}

Status PostgresLedger::queue_upload_end(UploadRef upload, UploadStatus status) {
  if (auto checked = check_queued_upload_end(status); !checked) return checked;
  return enqueue(UploadEndOp{upload, status});
}

size_t PostgresLedger::queued() const {
  std::lock_guard q(queue_mu_);
  return ops_.size();
}

Result<FlushReport> PostgresLedger::flush() {
  std::lock_guard lock(db_mu_);
  return flush_locked(true);
}

Result<FlushReport> PostgresLedger::flush_locked(bool hand_over_rejections) {
  std::vector<QueuedOp> ops;
  {
    std::lock_guard q(queue_mu_);
    ops.swap(ops_);
  }
  FlushReport report;
  if (!ops.empty()) {
    std::vector<Rejection> rejected;
    Status outcome = [&]() -> Status {
      auto c = conn_locked();
      if (!c) return std::unexpected(c.error());
      return apply_batch_locked(**c, ops, now_ms(), rejected);
    }();
    if (!outcome) {
      // The batch goes back to the front of the queue, ahead of what other
      // threads queued meanwhile, so order is kept and a retry sends it all.
      std::lock_guard q(queue_mu_);
      ops_.insert(ops_.begin(), std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
      return std::unexpected(outcome.error());
    }
    report.applied = ops.size() - rejected.size();
    std::move(rejected.begin(), rejected.end(), std::back_inserter(rejected_));
  }
  if (hand_over_rejections) report.rejected.swap(rejected_);
  return report;
}

Status PostgresLedger::apply_batch_locked(pg::Connection& c, const std::vector<QueuedOp>& ops, int64_t now,
                                          std::vector<Rejection>& rejected) {
  std::set<int64_t> object_ids, upload_ids;
  for (const QueuedOp& op : ops) {
    if (const auto* t = std::get_if<Transition>(&op)) object_ids.insert(t->id.value);
    if (const auto* p = std::get_if<PartOp>(&op)) upload_ids.insert(p->upload.value);
    if (const auto* e = std::get_if<UploadEndOp>(&op)) upload_ids.insert(e->upload.value);
  }
  // Round trip one: BEGIN and the rows, locked.
  std::vector<pg::Step> steps{pg::Step{"BEGIN", Params(), true}};
  if (!object_ids.empty()) {
    ArrayLiteral ids;
    for (int64_t id : object_ids) ids.i64(id);
    steps.push_back(pg::Step{
        "SELECT id, job_id, state, lease_owner, lease_expires, lease_epoch, attempts, md5, crc32c, dest_etag, "
        "source_etag, size, last_error, error_at, staged_volume, staged_path, staged_size, staged_md5, "
        "staged_crc32c, staged_metadata, updated_at, staged_host FROM objects WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        Params().array(ids.str())});
  }
  if (!upload_ids.empty()) {
    ArrayLiteral ids;
    for (int64_t id : upload_ids) ids.i64(id);
    steps.push_back(pg::Step{
        "SELECT id, status, object_id FROM uploads WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        Params().array(ids.str())});
  }
  auto read = c.pipeline(steps);
  // From here on a transaction may be open: rolled back unless committed.
  pg::Transaction txn = pg::Transaction::adopt(c);
  if (!read) return std::unexpected(read.error());
  std::map<int64_t, Row> rows;
  if (!object_ids.empty()) {
    const pg::Rows& r = (*read)[1];
    for (int i = 0; i < r.size(); ++i) {
      Row row;
      row.job = r.i64(i, 1);
      row.state = parse_object_state(r.text(i, 2)).value_or(ObjectState::pending);
      row.lease_owner = opt_text(r, i, 3);
      row.lease_expires = r.i64(i, 4);
      row.lease_epoch = r.i64(i, 5);
      row.attempts = r.i64(i, 6);
      row.md5 = opt_md5(r, i, 7);
      row.crc32c = opt_crc(r, i, 8);
      row.dest_etag = opt_text(r, i, 9);
      row.source_etag = r.text(i, 10);
      row.size = r.i64(i, 11);
      row.last_error = opt_text(r, i, 12);
      row.error_at = opt_i64(r, i, 13);
      row.staged_volume = opt_text(r, i, 14);
      row.staged_path = opt_text(r, i, 15);
      row.staged_size = opt_i64(r, i, 16);
      row.staged_md5 = opt_md5(r, i, 17);
      row.staged_crc32c = opt_crc(r, i, 18);
      if (!r.is_null(i, 19)) row.staged_metadata = r.bytea(i, 19);
      row.updated_at = r.i64(i, 20);
      row.staged_host = opt_text(r, i, 21);
      rows.emplace(r.i64(i, 0), std::move(row));
    }
  }
  std::map<int64_t, UploadRow> uploads;
  if (!upload_ids.empty()) {
    const pg::Rows& r = read->back();
    for (int i = 0; i < r.size(); ++i) {
      UploadRow u;
      u.status = r.text(i, 1);
      if (!r.is_null(i, 2)) u.object = ObjectId{r.i64(i, 2)};
      uploads.emplace(r.i64(i, 0), std::move(u));
    }
  }

  pg::TotalsDelta totals;
  std::map<std::pair<int64_t, uint32_t>, PartWrite> parts;
  for (const QueuedOp& op : ops) {
    if (const auto* t = std::get_if<Transition>(&op)) {
      auto it = rows.find(t->id.value);
      if (auto no = apply_transition(*t, it == rows.end() ? nullptr : &it->second, now, totals)) {
        rejected.push_back(std::move(*no));
      }
    } else if (const auto* p = std::get_if<PartOp>(&op)) {
      auto it = uploads.find(p->upload.value);
      if (it == uploads.end()) {
        rejected.push_back(upload_reject(p->upload, std::nullopt, kNoSuchUpload, "unknown upload"));
      } else if (it->second.status != "active") {
        rejected.push_back(upload_reject(p->upload, it->second.object, kUploadClosed, "upload is " + it->second.status));
      } else {
        parts[{p->upload.value, p->part.part_number}] = PartWrite{p->part, now};
      }
    } else {
      const auto& e = std::get<UploadEndOp>(op);
      auto it = uploads.find(e.upload.value);
      if (it == uploads.end() || (it->second.status != "active" && it->second.status != "abandoned")) {
        rejected.push_back(upload_reject(e.upload, std::nullopt, kUploadClosed, "upload unknown or already ended"));
      } else {
        it->second.status = std::string(to_string(e.status));
        it->second.dirty = true;
      }
    }
  }

  // Round trip two: the final rows, one statement per table, and COMMIT.
  steps.clear();
  ArrayLiteral ids, states, attempts, owners, expires, md5s, crcs, dest_etags, errors, error_ats, volumes, paths,
      staged_sizes, staged_md5s, staged_crcs, metadata, updated, hosts, crc64s;
  for (const auto& [id, row] : rows) {
    if (!row.dirty) continue;
    ids.i64(id);
    states.text(to_string(row.state));
    attempts.i64(row.attempts);
    owners.opt_text(row.lease_owner);
    expires.i64(row.lease_expires);
    md5s.opt_bytea(pg::opt_md5_bytes(row.md5));
    crcs.opt_i64(pg::opt_u32(row.crc32c));
    dest_etags.opt_text(row.dest_etag);
    errors.opt_text(row.last_error);
    error_ats.opt_i64(row.error_at);
    volumes.opt_text(row.staged_volume);
    paths.opt_text(row.staged_path);
    staged_sizes.opt_i64(row.staged_size);
    staged_md5s.opt_bytea(pg::opt_md5_bytes(row.staged_md5));
    staged_crcs.opt_i64(pg::opt_u32(row.staged_crc32c));
    metadata.opt_bytea(row.staged_metadata);
    updated.i64(row.updated_at);
    hosts.opt_text(row.staged_host);
    crc64s.opt_i64(row.crc64nvme ? std::optional<int64_t>(static_cast<int64_t>(*row.crc64nvme)) : std::nullopt);
  }
  if (!ids.empty()) {
    steps.push_back(pg::Step{
        "UPDATE objects o SET state = v.state, attempts = v.attempts, lease_owner = v.owner, lease_expires = v.expires, "
        "md5 = v.md5, crc32c = v.crc, dest_etag = v.dest_etag, last_error = v.err, error_at = v.err_at, "
        "staged_volume = v.vol, staged_path = v.path, staged_size = v.ssize, staged_md5 = v.smd5, "
        "staged_crc32c = v.scrc, staged_metadata = v.meta, updated_at = v.upd, staged_host = v.host, "
        "crc64nvme = coalesce(v.c64, o.crc64nvme) "
        "FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bytea[], $7::bigint[], "
        "$8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::bigint[], $14::bytea[], $15::bigint[], "
        "$16::bytea[], $17::bigint[], $18::text[], $19::bigint[]) AS v(id, state, attempts, owner, expires, md5, crc, "
        "dest_etag, err, err_at, vol, path, ssize, smd5, scrc, meta, upd, host, c64) WHERE o.id = v.id",
        Params()
            .array(ids.str())
            .array(states.str())
            .array(attempts.str())
            .array(owners.str())
            .array(expires.str())
            .array(md5s.str())
            .array(crcs.str())
            .array(dest_etags.str())
            .array(errors.str())
            .array(error_ats.str())
            .array(volumes.str())
            .array(paths.str())
            .array(staged_sizes.str())
            .array(staged_md5s.str())
            .array(staged_crcs.str())
            .array(metadata.str())
            .array(updated.str())
            .array(hosts.str())
            .array(crc64s.str())});
  }
  if (!parts.empty()) {
    ArrayLiteral refs, numbers, offsets, sizes, etags, pmd5s, pcrcs, done;
    for (const auto& [key, w] : parts) {
      refs.i64(key.first);
      numbers.i64(key.second);
      offsets.i64(static_cast<int64_t>(w.part.offset));
      sizes.i64(static_cast<int64_t>(w.part.size));
      etags.text(w.part.etag);
      pmd5s.opt_bytea(pg::opt_md5_bytes(w.part.md5));
      pcrcs.opt_i64(pg::opt_u32(w.part.crc32c));
      done.i64(w.done_at);
    }
    steps.push_back(pg::Step{
        "INSERT INTO parts(upload_ref, part_number, byte_offset, size, etag, md5, crc32c, done_at) "
        "SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::bigint[], $5::text[], $6::bytea[], "
        "$7::bigint[], $8::bigint[]) ON CONFLICT (upload_ref, part_number) DO UPDATE SET "
        "byte_offset = excluded.byte_offset, size = excluded.size, etag = excluded.etag, md5 = excluded.md5, "
        "crc32c = excluded.crc32c, done_at = excluded.done_at",
        Params()
            .array(refs.str())
            .array(numbers.str())
            .array(offsets.str())
            .array(sizes.str())
            .array(etags.str())
            .array(pmd5s.str())
            .array(pcrcs.str())
            .array(done.str())});
  }
  ArrayLiteral ended_ids, ended_status;
  for (const auto& [id, u] : uploads) {
    if (!u.dirty) continue;
    ended_ids.i64(id);
    ended_status.text(u.status);
  }
  if (!ended_ids.empty()) {
    steps.push_back(pg::Step{
        "UPDATE uploads u SET status = v.status, updated_at = $3 FROM unnest($1::bigint[], $2::text[]) AS v(id, status) "
        "WHERE u.id = v.id",
        Params().array(ended_ids.str()).array(ended_status.str()).i64(now)});
  }
  if (auto step = totals.take_step()) steps.push_back(std::move(*step));
  steps.push_back(pg::Step{"COMMIT", Params(), true});
  auto written = c.pipeline(steps);
  if (!written) return std::unexpected(written.error());
  txn.committed();
  return {};
}

}  // namespace s5j::ledger
