// SqliteLedger, the ObjectCatalog part: reopen_verified, `s5j verify`
// putting verified records whose destination copy is missing or different
// back in line.
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::WriteTransaction;

Result<std::vector<ObjectId>> SqliteLedger::reopen_verified(JobId job, std::span<const ReopenRequest> requests) {
  std::vector<ObjectId> reopened;
  if (requests.empty()) return reopened;
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  sqlite::ObjectTotalsDelta totals;
  for (const ReopenRequest& r : requests) {
    // The whole compare-and-set is in the WHERE clause: still verified, and
    // neither re-listed (size, ETag) nor rewritten (updated_at) since the
    // caller read it. Verified records hold no lease, so nothing else to
    // check. What is cleared is what upsert_listed clears for a changed
    // source object: the next run fetches the object afresh and records new
    // evidence. attempts stays: it is the object's history.
    auto upd = state_.db->cached(
        "UPDATE objects SET state = 'pending', last_error = ?6, error_at = ?7, md5 = NULL, crc32c = NULL, crc64nvme = NULL, "
        "dest_etag = NULL, lease_owner = NULL, lease_expires = 0, staged_volume = NULL, staged_host = NULL, staged_path = NULL, "
        "staged_size = NULL, staged_md5 = NULL, staged_crc32c = NULL, updated_at = ?7 "
        "WHERE id = ?1 AND job_id = ?2 AND state = 'verified' AND size = ?3 AND source_etag = ?4 "
        "AND updated_at = ?5");
    if (!upd) return std::unexpected(upd.error());
    (*upd)
        ->bind(1, r.id.value)
        .bind(2, job.value)
        .bind(3, static_cast<int64_t>(r.size))
        .bind_text(4, r.source_etag)
        .bind(5, sqlite::to_ms(r.updated_at))
        .bind_text(6, r.reason)
        .bind(7, now);
    if (auto st = (*upd)->run(); !st) return std::unexpected(st.error());
    if (state_.db->changes() == 0) continue;
    totals.move(job, ObjectState::verified, ObjectState::pending, static_cast<int64_t>(r.size));
    // A verified object has no active upload in normal operation; should one
    // be left, it must still be aborted at the destination, never resumed.
    auto ab = state_.db->cached(
        "UPDATE uploads SET status = 'abandoned', updated_at = ?2 WHERE object_id = ?1 AND status = 'active'");
    if (!ab) return std::unexpected(ab.error());
    if (auto st = (*ab)->bind(1, r.id.value).bind(2, now).run(); !st) return std::unexpected(st.error());
    reopened.push_back(r.id);
  }
  if (auto st = totals.apply(*state_.db); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return reopened;
}

}  // namespace s5j::ledger
