// PostgresLedger, the ObjectClaims part: claims and leases. A claim picks
// its rows with FOR UPDATE SKIP LOCKED, so claimers on many hosts never
// wait for each other's rows, and moves each row's fencing epoch.
#include <iterator>

#include "ledger/ledger_error.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::ArrayLiteral;
using pg::Params;

Result<std::vector<ObjectRecord>> PostgresLedger::claim(const ClaimRequest& request) {
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
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  const int64_t now = now_ms();
  // Unleased rows carry lease_expires = 0, so "free or expired" is one
  // range of the claim index. A row another transaction has locked (being
  // claimed or written elsewhere) is skipped, not waited for; under READ
  // COMMITTED a row claimed and committed meanwhile is re-checked against
  // the WHERE and skipped too.
  auto claim_step = [&](ObjectState s, size_t room) {
    return pg::Step{
        "WITH picked AS (SELECT id FROM objects WHERE job_id = $1 AND state = $2 AND lease_expires <= $3 "
        "AND state <> 'verified' "
        "AND ($7::text IS NULL OR staged_path IS NULL OR staged_host IS NULL OR staged_host = $7) "
        "LIMIT $4 FOR UPDATE SKIP LOCKED) "
        "UPDATE objects o SET lease_owner = $5, lease_expires = $6, lease_epoch = o.lease_epoch + 1, updated_at = $3 "
        "FROM picked WHERE o.id = picked.id RETURNING " S5J_PG_OBJECT_COLUMNS_O,
        Params()
            .i64(request.job.value)
            .text(to_string(s))
            .i64(now)
            .i64(static_cast<int64_t>(room))
            .text(request.owner)
            .i64(now + request.lease.count())
            .opt_text(request.staged_host)};
  };
  // One transaction, each state's claim in the round trip of the step
  // before it (BEGIN with the first, COMMIT with the last).
  std::vector<ObjectRecord> out;
  std::vector<pg::Step> steps{pg::Step{"BEGIN", Params(), true}};
  std::optional<pg::Transaction> txn;
  for (size_t i = 0; i < order.size() && out.size() < request.max; ++i) {
    steps.push_back(claim_step(order[i], request.max - out.size()));
    const bool last = i + 1 == order.size();
    if (last) steps.push_back(pg::Step{"COMMIT", Params(), true});
    auto got = (*c)->pipeline(steps);
    if (!txn) txn.emplace(pg::Transaction::adopt(**c));
    if (!got) return std::unexpected(got.error());
    auto records = pg::read_objects((*got)[steps.front().plain && steps.front().sql == "BEGIN" ? 1 : 0]);
    std::move(records.begin(), records.end(), std::back_inserter(out));
    steps.clear();
    if (last) {
      txn->committed();
      return out;
    }
  }
  // Filled before the last state: commit alone.
  if (auto st = (*c)->script("COMMIT"); !st) return std::unexpected(st.error());
  if (txn) txn->committed();
  return out;
}

Result<std::vector<ObjectId>> PostgresLedger::renew(std::span<const ObjectId> ids, std::string_view owner,
                                                    std::chrono::milliseconds lease) {
  std::vector<ObjectId> lost;
  if (ids.empty()) return lost;
  ArrayLiteral list;
  for (ObjectId id : ids) list.i64(id.value);
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  // Still ours even if it expired, as long as nobody claimed it since.
  auto r = (*c)->exec(
      "UPDATE objects SET lease_expires = $3 WHERE id = ANY($1::bigint[]) AND lease_owner = $2 RETURNING id",
      Params().array(list.str()).text(owner).i64(now_ms() + lease.count()));
  if (!r) return std::unexpected(r.error());
  std::vector<int64_t> kept;
  for (int i = 0; i < r->size(); ++i) kept.push_back(r->i64(i, 0));
  for (ObjectId id : ids) {
    if (std::find(kept.begin(), kept.end(), id.value) == kept.end()) lost.push_back(id);
  }
  return lost;
}

Status PostgresLedger::release(std::span<const ObjectId> ids, std::string_view owner) {
  if (ids.empty()) return {};
  ArrayLiteral list;
  for (ObjectId id : ids) list.i64(id.value);
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec(
      "UPDATE objects SET lease_owner = NULL, lease_expires = 0 WHERE id = ANY($1::bigint[]) AND lease_owner = $2",
      Params().array(list.str()).text(owner));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<uint64_t> PostgresLedger::release_leases_in(JobId job, std::span<const ObjectState> states) {
  ArrayLiteral list;
  for (ObjectState s : states) list.text(to_string(s));
  if (list.empty()) return uint64_t{0};
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec(
      "UPDATE objects SET lease_owner = NULL, lease_expires = 0 "
      "WHERE job_id = $1 AND state = ANY($2::text[]) AND lease_owner IS NOT NULL AND state <> 'verified'",
      Params().i64(job.value).array(list.str()));
  if (!r) return std::unexpected(r.error());
  return static_cast<uint64_t>(r->affected());
}

}  // namespace s5j::ledger
