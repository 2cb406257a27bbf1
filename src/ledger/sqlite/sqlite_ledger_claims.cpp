// SqliteLedger, the ObjectClaims part: claims and leases.
#include <iterator>

#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::WriteTransaction;

Result<std::vector<ObjectRecord>> SqliteLedger::claim_state_locked(const ClaimRequest& r, ObjectState state,
                                                                   size_t max, int64_t now) {
  // Unleased rows carry lease_expires = 0, so "free or expired" is one range
  // of the (job_id, state, lease_expires) index. The write lock is held, so
  // no other process can hand out the same rows between SELECT and UPDATE.
  // Every claim moves the fencing epoch, so the previous holder's queued
  // transitions no longer apply (Transition::epoch).
  auto st = state_.db->cached(
      "UPDATE objects SET lease_owner = ?1, lease_expires = ?2, lease_epoch = lease_epoch + 1, updated_at = ?3 "
      "WHERE id IN "
      "(SELECT id FROM objects WHERE job_id = ?4 AND state = ?5 AND lease_expires <= ?3 AND " S5J_CLAIM_INDEX_WHERE
      " AND (?7 IS NULL OR staged_path IS NULL OR staged_host IS NULL OR staged_host = ?7) LIMIT ?6) "
      "RETURNING " S5J_OBJECT_COLUMNS);
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, r.owner).bind(2, now + r.lease.count()).bind(3, now).bind(4, r.job.value);
  (*st)->bind_text(5, to_string(state)).bind(6, static_cast<int64_t>(max));
  if (r.staged_host) {
    (*st)->bind_text(7, *r.staged_host);
  } else {
    (*st)->bind_null(7);
  }
  return sqlite::read_objects(**st);
}

Result<std::vector<ObjectRecord>> SqliteLedger::claim(const ClaimRequest& request) {
  if (request.owner.empty()) {
    return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition, "a claim needs an owner");
  }
  auto mode = job_mode(request.job);
  if (!mode) return std::unexpected(mode.error());
  // Expired active records first: their worker died mid-way and they may
  // hold an open multipart upload worth resuming.
  std::vector<ObjectState> order;
  for (ObjectState from : request.from) {
    for (ObjectState a : takeover_states(*mode, from)) order.push_back(a);
  }
  for (ObjectState from : request.from) {
    if (is_active(from)) {
      return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition,
                          "claims hand out resting records, not " + std::string(to_string(from)));
    }
    order.push_back(from);
  }

  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  std::vector<ObjectRecord> out;
  for (ObjectState s : order) {
    if (out.size() >= request.max) break;
    auto got = claim_state_locked(request, s, request.max - out.size(), now);
    if (!got) return std::unexpected(got.error());
    std::move(got->begin(), got->end(), std::back_inserter(out));
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return out;
}

Result<std::vector<ObjectId>> SqliteLedger::renew(std::span<const ObjectId> ids, std::string_view owner,
                                                  std::chrono::milliseconds lease) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  std::vector<ObjectId> lost;
  for (ObjectId id : ids) {
    // Still ours even if it expired, as long as nobody claimed it since.
    auto st = state_.db->cached("UPDATE objects SET lease_expires = ?3 WHERE id = ?1 AND lease_owner = ?2");
    if (!st) return std::unexpected(st.error());
    if (auto r = (*st)->bind(1, id.value).bind_text(2, owner).bind(3, now + lease.count()).run(); !r) {
      return std::unexpected(r.error());
    }
    if (state_.db->changes() == 0) lost.push_back(id);
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return lost;
}

Status SqliteLedger::release(std::span<const ObjectId> ids, std::string_view owner) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  for (ObjectId id : ids) {
    auto st = state_.db->cached(
        "UPDATE objects SET lease_owner = NULL, lease_expires = 0 WHERE id = ?1 AND lease_owner = ?2");
    if (!st) return std::unexpected(st.error());
    if (auto r = (*st)->bind(1, id.value).bind_text(2, owner).run(); !r) return r;
  }
  return txn->commit();
}

Result<uint64_t> SqliteLedger::release_leases_in(JobId job, std::span<const ObjectState> states) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  uint64_t n = 0;
  for (ObjectState s : states) {
    auto st = state_.db->cached(
        "UPDATE objects SET lease_owner = NULL, lease_expires = 0 "
        "WHERE job_id = ?1 AND state = ?2 AND lease_owner IS NOT NULL AND " S5J_CLAIM_INDEX_WHERE);
    if (!st) return std::unexpected(st.error());
    if (auto r = (*st)->bind(1, job.value).bind_text(2, to_string(s)).run(); !r) return std::unexpected(r.error());
    n += static_cast<uint64_t>(state_.db->changes());
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return n;
}

}  // namespace s5j::ledger
