// SqliteLedger, the TransitionQueue part: the queue with group commit and
// the checks of every transition at flush time (uploads' own operations are
// in sqlite_ledger_uploads.cpp).
#include <algorithm>
#include <iterator>

#include "ledger/ledger_error.h"
#include "ledger/queued_checks.h"
#include "ledger/sqlite/object_totals.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::bind_md5;
using sqlite::bind_opt_text;
using sqlite::bind_u32;
using sqlite::md5_from_blob;
using sqlite::WriteTransaction;

namespace {

Rejection reject(const Transition& t, std::string_view code, std::string detail) {
  Rejection r;
  r.id = t.id;
  r.from = t.from;
  r.to = t.to;
  r.code = std::string(code);
  r.detail = std::move(detail);
  return r;
}

template <class T>
std::optional<T> first_of(const std::optional<T>& a, const std::optional<T>& b) {
  return a ? a : b;
}

}  // namespace

// ---- Queue ----

Status SqliteLedger::enqueue(QueuedOp op) {
  bool full = false;
  {
    std::lock_guard q(queue_mu_);
    queue_.ops.push_back(std::move(op));
    full = options_.auto_flush_at != 0 && queue_.ops.size() >= options_.auto_flush_at;
  }
  if (!full) return {};
  // Back-pressure: the thread that fills the batch commits it. Rejections
  // are kept for the next flush() to report.
  std::lock_guard lock(db_mu_);
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  return {};
}

Status SqliteLedger::queue(Transition t) {
  auto mode = job_mode(t.job);
  if (!mode) return std::unexpected(mode.error());
  if (auto checked = check_queued_transition(*mode, t); !checked) return checked;
  return enqueue(std::move(t));
}

Status SqliteLedger::queue_part(UploadRef upload, PartRecord part) {
  if (auto checked = check_queued_part(part); !checked) return checked;
  return enqueue(PartOp{upload, std::move(part)});
}

Status SqliteLedger::queue_upload_end(UploadRef upload, UploadStatus status) {
  if (auto checked = check_queued_upload_end(status); !checked) return checked;
  return enqueue(UploadEndOp{upload, status});
}

size_t SqliteLedger::queued() const {
  std::lock_guard q(queue_mu_);
  return queue_.ops.size();
}

Result<FlushReport> SqliteLedger::flush() {
  std::lock_guard lock(db_mu_);
  return flush_locked(true);
}

Result<FlushReport> SqliteLedger::flush_locked(bool hand_over_rejections) {
  std::vector<QueuedOp> ops;
  {
    std::lock_guard q(queue_mu_);
    ops.swap(queue_.ops);
  }
  FlushReport report;
  if (!ops.empty()) {
    // On any failure the batch goes back to the front of the queue, ahead
    // of what other threads queued meanwhile, so order is preserved.
    auto put_back = [&] {
      std::lock_guard q(queue_mu_);
      queue_.ops.insert(queue_.ops.begin(), std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
    };
    std::vector<Rejection> rejected;
    Status outcome = [&]() -> Status {
      auto txn = WriteTransaction::begin(*state_.db);
      if (!txn) return std::unexpected(txn.error());
      const int64_t now = now_ms();
      sqlite::ObjectTotalsDelta totals;
      for (const QueuedOp& op : ops) {
        auto r = apply_locked(op, now, totals);
        if (!r) return std::unexpected(r.error());
        if (*r) rejected.push_back(std::move(**r));
      }
      if (auto st = totals.apply(*state_.db); !st) return st;
      // The one fsync of the batch: group commit.
      return txn->commit();
    }();
    if (!outcome) {
      put_back();
      return std::unexpected(outcome.error());
    }
    report.applied = ops.size() - rejected.size();
    std::move(rejected.begin(), rejected.end(), std::back_inserter(state_.rejected));
  }
  if (hand_over_rejections) report.rejected.swap(state_.rejected);
  return report;
}

Result<std::optional<Rejection>> SqliteLedger::apply_locked(const QueuedOp& op, int64_t now,
                                                            sqlite::ObjectTotalsDelta& totals) {
  if (const auto* t = std::get_if<Transition>(&op)) return apply_transition_locked(*t, now, totals);
  if (const auto* p = std::get_if<PartOp>(&op)) return apply_part_locked(*p, now);
  return apply_upload_end_locked(std::get<UploadEndOp>(op), now);
}

// ---- Transitions ----

Result<std::optional<Rejection>> SqliteLedger::apply_transition_locked(const Transition& t, int64_t now,
                                                                      sqlite::ObjectTotalsDelta& totals) {
  using Out = std::optional<Rejection>;
  auto sel = state_.db->cached(
      "SELECT job_id, state, lease_owner, md5, crc32c, staged_path, staged_md5, staged_crc32c, source_etag, "
      "dest_etag, size, lease_epoch FROM objects WHERE id = ?1");
  if (!sel) return std::unexpected(sel.error());
  (*sel)->bind(1, t.id.value);
  auto row = (*sel)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row || (*sel)->get_int(0) != t.job.value) return Out(reject(t, kNoSuchObject, "not in this job"));
  const std::string state = (*sel)->get_text(1);
  if (state != to_string(t.from)) return Out(reject(t, kStateChanged, "object is now " + state));
  if (!t.owner.empty() && (*sel)->get_text(2) != t.owner) {
    const std::string holder = (*sel)->get_text(2);
    return Out(reject(t, kLeaseLost, holder.empty() ? "not leased" : "leased to " + holder));
  }
  if (!t.owner.empty() && t.epoch != 0 && static_cast<uint64_t>((*sel)->get_int(11)) != t.epoch) {
    return Out(reject(t, kLeaseLost, "claimed again since (epoch " + std::to_string((*sel)->get_int(11)) + ")"));
  }
  const auto old_md5 = (*sel)->is_null(3) ? std::nullopt : md5_from_blob((*sel)->get_blob(3));
  const auto old_crc = (*sel)->is_null(4) ? std::nullopt : std::optional<uint32_t>((*sel)->get_int(4));
  const bool had_staged = !(*sel)->is_null(5);
  const auto old_staged_md5 = (*sel)->is_null(6) ? std::nullopt : md5_from_blob((*sel)->get_blob(6));
  const auto old_staged_crc = (*sel)->is_null(7) ? std::nullopt : std::optional<uint32_t>((*sel)->get_int(7));
  const std::string source_etag = (*sel)->is_null(8) ? std::string() : (*sel)->get_text(8);
  const std::string old_dest_etag = (*sel)->is_null(9) ? std::string() : sqlite::read_dest_etag(**sel, 9, source_etag);
  const int64_t size = (*sel)->get_int(10);
  (*sel)->reset();  // finish the read before writing the same row

  // The ledger keeps one truth per object version: a checksum may be
  // recorded once and every later computation over the same bytes
  // (a retry, the staged copy, the upload) must agree with it.
  const ObjectUpdate& u = t.update;
  if (u.md5 && old_md5 && *u.md5 != *old_md5) return Out(reject(t, kChecksumMismatch, "MD5 differs from recorded"));
  if (u.crc32c && old_crc && *u.crc32c != *old_crc) {
    return Out(reject(t, kChecksumMismatch, "CRC-32C differs from recorded"));
  }
  const auto md5 = first_of(u.md5, old_md5);
  const auto crc = first_of(u.crc32c, old_crc);
  const bool has_staged = u.staged ? true : had_staged;
  const auto staged_md5 = u.staged ? u.staged->md5 : old_staged_md5;
  const auto staged_crc = u.staged ? u.staged->crc32c : old_staged_crc;
  if (md5 && staged_md5 && *md5 != *staged_md5) {
    return Out(reject(t, kChecksumMismatch, "staged copy MD5 differs from source MD5"));
  }
  if (crc && staged_crc && *crc != *staged_crc) {
    return Out(reject(t, kChecksumMismatch, "staged copy CRC-32C differs from source CRC-32C"));
  }
  // Evidence for `verified`: checksums computed in flight, or a destination
  // ETag equal to the source's (a server-side copy or an object already
  // identical at the destination; the engine only records that when the
  // ETags are comparable, i.e. MD5 or multipart-MD5 shaped).
  const std::string& dest_etag = u.dest_etag ? *u.dest_etag : old_dest_etag;
  const bool etags_match = !source_etag.empty() && dest_etag == source_etag;
  if (t.to == ObjectState::verified && !md5 && !crc && !etags_match) {
    return Out(reject(t, kMissingChecksums,
                      "verified needs an MD5 or CRC-32C computed in flight, or a destination ETag equal to the source's"));
  }
  if (t.to == ObjectState::staged && t.from != ObjectState::staged &&
      (!has_staged || (!staged_md5 && !staged_crc))) {
    return Out(reject(t, kMissingStagedCopy, "staged needs a staged path and checksum"));
  }

  auto upd = state_.db->cached(
      "UPDATE objects SET state = ?2, attempts = attempts + ?3, "
      "lease_owner = CASE WHEN ?4 THEN NULL ELSE lease_owner END, "
      "lease_expires = CASE WHEN ?4 THEN 0 ELSE lease_expires END, "
      "md5 = coalesce(?5, md5), crc32c = coalesce(?6, crc32c), dest_etag = coalesce(?7, dest_etag), "
      "last_error = coalesce(?8, last_error), error_at = CASE WHEN ?8 IS NULL THEN error_at ELSE ?9 END, "
      "staged_volume = CASE WHEN ?10 THEN ?11 WHEN ?16 THEN NULL ELSE staged_volume END, "
      "staged_path = CASE WHEN ?10 THEN ?12 WHEN ?16 THEN NULL ELSE staged_path END, "
      "staged_size = CASE WHEN ?10 THEN ?13 WHEN ?16 THEN NULL ELSE staged_size END, "
      "staged_md5 = CASE WHEN ?10 THEN ?14 WHEN ?16 THEN NULL ELSE staged_md5 END, "
      "staged_crc32c = CASE WHEN ?10 THEN ?15 WHEN ?16 THEN NULL ELSE staged_crc32c END, "
      "staged_metadata = CASE WHEN ?10 THEN ?17 WHEN ?16 THEN NULL ELSE staged_metadata END, "
      "staged_host = CASE WHEN ?10 THEN ?18 WHEN ?16 THEN NULL ELSE staged_host END, "
      "crc64nvme = coalesce(?19, crc64nvme), updated_at = ?9 WHERE id = ?1");
  if (!upd) return std::unexpected(upd.error());
  auto& s = **upd;
  // One attempt is one pass of the object: a copy (direct) or a staging
  // that the upload of the staged copy completes (relay), so `uploading`
  // entered from `staged` is part of the pass already counted. A staged
  // copy sent back to `staged` after an upload (stopped, or failed and
  // requeued) will be uploaded again: that retry is the new attempt.
  const bool new_pass = (t.to == ObjectState::copying || t.to == ObjectState::staging) && t.from != t.to;
  const bool upload_retry =
      t.to == ObjectState::staged && (t.from == ObjectState::uploading || t.from == ObjectState::failed);
  const bool counts_attempt = new_pass || upload_retry;
  // Resting states hold no lease: the next claim may hand them out.
  const bool drop_lease = !is_active(t.to);
  s.bind(1, t.id.value).bind_text(2, to_string(t.to)).bind(3, counts_attempt ? 1 : 0).bind(4, drop_lease ? 1 : 0);
  bind_md5(s, 5, u.md5);
  bind_u32(s, 6, u.crc32c);
  if (u.crc64nvme) {
    s.bind(19, static_cast<int64_t>(*u.crc64nvme));
  } else {
    s.bind_null(19);
  }
  sqlite::bind_dest_etag(s, 7, u.dest_etag, source_etag);
  bind_opt_text(s, 8, u.error);
  // Back to pending means "fetch it from the source again": a staged copy
  // (e.g. one found corrupt) no longer stands for the object.
  const bool forget_staged = t.to == ObjectState::pending && !u.staged;
  s.bind(9, now).bind(10, u.staged ? 1 : 0).bind(16, forget_staged ? 1 : 0);
  if (u.staged) {
    s.bind_text(11, u.staged->volume).bind_text(12, u.staged->path).bind(13, static_cast<int64_t>(u.staged->size));
    bind_md5(s, 14, u.staged->md5);
    bind_u32(s, 15, u.staged->crc32c);
    if (u.staged->metadata.empty()) {
      s.bind_null(17);
    } else {
      s.bind_text(17, u.staged->metadata);
    }
    if (u.staged->host.empty()) {
      s.bind_null(18);
    } else {
      s.bind_text(18, u.staged->host);
    }
  }
  if (auto st = s.run(); !st) return std::unexpected(st.error());
  totals.move(t.job, t.from, t.to, size);
  return Out();
}

}  // namespace s5j::ledger
