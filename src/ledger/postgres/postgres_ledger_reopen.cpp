// PostgresLedger, the ObjectCatalog part: reopen_verified, `s5j verify`
// putting verified records whose destination copy is missing or different
// back in line (the compare-and-set of every request is in one UPDATE).
#include <algorithm>

#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::ArrayLiteral;
using pg::Params;

Result<std::vector<ObjectId>> PostgresLedger::reopen_verified(JobId job, std::span<const ReopenRequest> requests) {
  std::vector<ObjectId> reopened;
  if (requests.empty()) return reopened;
  // Rows are locked in id order, as every other writer locks them, so a
  // reopen and a flush never wait for each other in a cycle.
  std::vector<const ReopenRequest*> by_id;
  for (const ReopenRequest& r : requests) by_id.push_back(&r);
  std::sort(by_id.begin(), by_id.end(), [](const ReopenRequest* a, const ReopenRequest* b) { return a->id < b->id; });
  ArrayLiteral ids, sizes, etags, updated, reasons;
  for (const ReopenRequest* rp : by_id) {
    const ReopenRequest& r = *rp;
    ids.i64(r.id.value);
    sizes.i64(static_cast<int64_t>(r.size));
    etags.text(r.source_etag);
    updated.i64(pg::to_ms(r.updated_at));
    reasons.text(r.reason);
  }
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  // Still verified, and neither re-listed (size, ETag) nor rewritten
  // (updated_at) since the caller read it; cleared as for a changed source
  // object; attempts stay (the object's history).
  auto upd = (*c)->exec(
      "UPDATE objects o SET state = 'pending', last_error = v.reason, error_at = $7, md5 = NULL, crc32c = NULL, crc64nvme = NULL, "
      "dest_etag = NULL, lease_owner = NULL, lease_expires = 0, staged_volume = NULL, staged_host = NULL, staged_path = NULL, "
      "staged_size = NULL, staged_md5 = NULL, staged_crc32c = NULL, updated_at = $7 "
      "FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::text[]) AS v(id, size, etag, upd, reason) "
      "WHERE o.id = v.id AND o.job_id = $1 AND o.state = 'verified' AND o.size = v.size AND o.source_etag = v.etag "
      "AND o.updated_at = v.upd RETURNING o.id, o.size",
      Params()
          .i64(job.value)
          .array(ids.str())
          .array(sizes.str())
          .array(etags.str())
          .array(updated.str())
          .array(reasons.str())
          .i64(now));
  if (!upd) return std::unexpected(upd.error());
  pg::TotalsDelta totals;
  ArrayLiteral done;
  for (int i = 0; i < upd->size(); ++i) {
    reopened.push_back(ObjectId{upd->i64(i, 0)});
    done.i64(upd->i64(i, 0));
    totals.move(job, ObjectState::verified, ObjectState::pending, upd->i64(i, 1));
  }
  if (!reopened.empty()) {
    // A verified object has no active upload in normal operation; should one
    // be left, it must still be aborted at the destination, never resumed.
    auto ab = (*c)->exec(
        "UPDATE uploads SET status = 'abandoned', updated_at = $2 WHERE object_id = ANY($1::bigint[]) AND "
        "status = 'active'",
        Params().array(done.str()).i64(now));
    if (!ab) return std::unexpected(ab.error());
  }
  if (auto st = totals.apply(**c); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  // In the order asked, as the SQLite ledger answers.
  std::vector<ObjectId> ordered;
  for (const ReopenRequest& r : requests) {
    for (ObjectId id : reopened) {
      if (id == r.id) {
        ordered.push_back(id);
        break;
      }
    }
  }
  return ordered;
}

}  // namespace s5j::ledger
