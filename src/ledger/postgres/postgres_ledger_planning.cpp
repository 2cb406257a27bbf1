// PostgresLedger, the ObjectCatalog part: planning (merging a source
// listing, a page in a few statements) and putting failed records, and
// those staged on absent hosts, back in line.
#include <map>

#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::ArrayLiteral;
using pg::Params;

Result<UpsertStats> PostgresLedger::upsert_listed(JobId job, std::span<const ListedObject> objects) {
  UpsertStats stats;
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  pg::TotalsDelta totals;
  if (auto st = upsert_listed_locked(**c, job, objects, now_ms(), stats, totals); !st)
    return std::unexpected(st.error());
  if (auto st = totals.apply(**c); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return stats;
}

Status PostgresLedger::upsert_listed_locked(pg::Connection& c, JobId job, std::span<const ListedObject> objects,
                                            int64_t now, UpsertStats& stats, pg::TotalsDelta& totals) {
  if (objects.empty()) return {};
  struct Known {
    int64_t id;
    int64_t size;
    std::string etag;
    ObjectState state;
  };
  // The page's existing records, locked against a concurrent writer.
  ArrayLiteral keys;
  for (const ListedObject& o : objects) keys.bytea(o.key);
  auto found = c.exec(
      "SELECT id, key, size, source_etag, state FROM objects WHERE job_id = $1 AND key = ANY($2::bytea[]) "
      "ORDER BY id FOR UPDATE",
      Params().i64(job.value).array(keys.str()));
  if (!found) return std::unexpected(found.error());
  std::map<std::string, Known> known;
  for (int i = 0; i < found->size(); ++i) {
    known[found->bytea(i, 1)] = Known{found->i64(i, 0), found->i64(i, 2), found->text(i, 3),
                                      parse_object_state(found->text(i, 4)).value_or(ObjectState::pending)};
  }
  // Where the merge leaves a record pending, one found at the destination
  // is verified instead (ListedObject::at_destination), its ETag as the
  // destination's.
  auto state_of = [](const ListedObject& o) { return o.at_destination ? ObjectState::verified : ObjectState::pending; };
  auto dest_etag_of = [](const ListedObject& o) {
    return o.at_destination ? std::optional<std::string>(o.etag) : std::nullopt;
  };
  auto found_at_destination = [&](const ListedObject& o) {
    if (!o.at_destination) return;
    ++stats.found_at_destination;
    stats.found_at_destination_bytes += o.size;
  };
  ArrayLiteral new_keys, new_sizes, new_etags, new_mtimes, new_states, new_dest_etags;
  ArrayLiteral ch_ids, ch_sizes, ch_etags, ch_mtimes, ch_states, ch_dest_etags;
  ArrayLiteral revived_ids, revived_states, revived_dest_etags;
  std::map<std::string, const ListedObject*> fresh_objects;  // for the stats of those the insert took
  std::map<std::string, bool> seen;  // a key twice in one page counts once, as the first
  size_t fresh = 0;
  for (const ListedObject& o : objects) {
    std::optional<int64_t> mtime;
    if (o.last_modified) mtime = pg::to_ms(*o.last_modified);
    if (!seen.emplace(o.key, true).second) {
      ++stats.unchanged;
      continue;
    }
    const auto it = known.find(o.key);
    if (it == known.end()) {
      new_keys.bytea(o.key);
      new_sizes.i64(static_cast<int64_t>(o.size));
      new_etags.text(o.etag);
      new_mtimes.opt_i64(mtime);
      new_states.text(std::string(to_string(state_of(o))));
      new_dest_etags.opt_text(dest_etag_of(o));
      fresh_objects[o.key] = &o;
      ++fresh;
      continue;
    }
    const Known& k = it->second;
    if (static_cast<uint64_t>(k.size) != o.size || k.etag != o.etag) {
      // A new version of the object: everything learned about the old one
      // (checksums, staged copy, destination ETag, parts) no longer applies.
      ch_ids.i64(k.id);
      ch_sizes.i64(static_cast<int64_t>(o.size));
      ch_etags.text(o.etag);
      ch_mtimes.opt_i64(mtime);
      ch_states.text(std::string(to_string(state_of(o))));
      ch_dest_etags.opt_text(dest_etag_of(o));
      totals.leave(job, k.state, k.size);
      totals.enter(job, state_of(o), static_cast<int64_t>(o.size));
      ++stats.changed;
      found_at_destination(o);
    } else if (k.state == ObjectState::vanished || (o.at_destination && k.state == ObjectState::pending)) {
      // Revived (pending again), or a pending one found at the destination.
      revived_ids.i64(k.id);
      revived_states.text(std::string(to_string(state_of(o))));
      revived_dest_etags.opt_text(dest_etag_of(o));
      totals.move(job, k.state, state_of(o), k.size);
      ++(k.state == ObjectState::vanished ? stats.revived : stats.unchanged);
      found_at_destination(o);
    } else {
      ++stats.unchanged;
    }
  }
  if (fresh > 0) {
    // A key another host inserted since the SELECT is left to it.
    auto ins = c.exec(
        "INSERT INTO objects(job_id, key, size, source_etag, source_mtime, state, dest_etag, created_at, updated_at) "
        "SELECT $1, k, s, e, m, st, de, $6, $6 FROM unnest($2::bytea[], $3::bigint[], $4::text[], $5::bigint[], "
        "$7::text[], $8::text[]) AS v(k, s, e, m, st, de) ON CONFLICT (job_id, key) DO NOTHING RETURNING key, size",
        Params()
            .i64(job.value)
            .array(new_keys.str())
            .array(new_sizes.str())
            .array(new_etags.str())
            .array(new_mtimes.str())
            .i64(now)
            .array(new_states.str())
            .array(new_dest_etags.str()));
    if (!ins) return std::unexpected(ins.error());
    for (int i = 0; i < ins->size(); ++i) {
      const ListedObject& o = *fresh_objects.at(ins->bytea(i, 0));
      totals.enter(job, state_of(o), ins->i64(i, 1));
      found_at_destination(o);
    }
    stats.inserted += static_cast<uint64_t>(ins->size());
    stats.unchanged += fresh - static_cast<uint64_t>(ins->size());
  }
  if (!ch_ids.empty()) {
    auto upd = c.exec(
        "UPDATE objects o SET size = v.s, source_etag = v.e, source_mtime = v.m, state = v.st, attempts = 0, "
        "last_error = NULL, error_at = NULL, md5 = NULL, crc32c = NULL, crc64nvme = NULL, dest_etag = v.de, lease_owner = NULL, "
        "lease_expires = 0, staged_volume = NULL, staged_host = NULL, staged_path = NULL, staged_size = NULL, staged_md5 = NULL, "
        "staged_crc32c = NULL, staged_metadata = NULL, updated_at = $5 "
        "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $6::text[], $7::text[]) "
        "AS v(id, s, e, m, st, de) WHERE o.id = v.id",
        Params()
            .array(ch_ids.str())
            .array(ch_sizes.str())
            .array(ch_etags.str())
            .array(ch_mtimes.str())
            .i64(now)
            .array(ch_states.str())
            .array(ch_dest_etags.str()));
    if (!upd) return std::unexpected(upd.error());
    auto ab = c.exec(
        "UPDATE uploads SET status = 'abandoned', updated_at = $2 WHERE object_id = ANY($1::bigint[]) AND "
        "status = 'active'",
        Params().array(ch_ids.str()).i64(now));
    if (!ab) return std::unexpected(ab.error());
  }
  if (!revived_ids.empty()) {
    auto upd = c.exec(
        "UPDATE objects o SET state = v.st, dest_etag = COALESCE(v.de, o.dest_etag), lease_owner = NULL, "
        "lease_expires = 0, updated_at = $2 FROM unnest($1::bigint[], $3::text[], $4::text[]) AS v(id, st, de) "
        "WHERE o.id = v.id",
        Params().array(revived_ids.str()).i64(now).array(revived_states.str()).array(revived_dest_etags.str()));
    if (!upd) return std::unexpected(upd.error());
  }
  return {};
}

Result<uint64_t> PostgresLedger::requeue_failed(JobId job) {
  auto mode = job_mode(job);
  if (!mode) return std::unexpected(mode.error());
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  pg::TotalsDelta totals;
  uint64_t n = 0;
  // A failed upload of a staged job retries from its staged copy; anything
  // else starts over from the source.
  if (*mode == JobMode::staged) {
    auto r = (*c)->exec(
        "UPDATE objects SET state = 'staged', attempts = attempts + 1, lease_owner = NULL, lease_expires = 0, "
        "updated_at = $2 WHERE job_id = $1 AND state = 'failed' AND staged_path IS NOT NULL RETURNING size",
        Params().i64(job.value).i64(now));
    if (!r) return std::unexpected(r.error());
    for (int i = 0; i < r->size(); ++i) totals.move(job, ObjectState::failed, ObjectState::staged, r->i64(i, 0));
    n += static_cast<uint64_t>(r->size());
  }
  auto r = (*c)->exec(
      "UPDATE objects SET state = 'pending', lease_owner = NULL, lease_expires = 0, updated_at = $2 "
      "WHERE job_id = $1 AND state = 'failed' RETURNING size",
      Params().i64(job.value).i64(now));
  if (!r) return std::unexpected(r.error());
  for (int i = 0; i < r->size(); ++i) totals.move(job, ObjectState::failed, ObjectState::pending, r->i64(i, 0));
  n += static_cast<uint64_t>(r->size());
  if (auto st = totals.apply(**c); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return n;
}

Result<uint64_t> PostgresLedger::unstage_absent_hosts(JobId job, std::span<const std::string> present_hosts) {
  ArrayLiteral present;
  for (const auto& h : present_hosts) present.text(h);
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  pg::TotalsDelta totals;
  uint64_t n = 0;
  // The old state comes back with each row (a self-join sees the row as it
  // was), for the totals. Rows another worker holds locked are skipped:
  // they are being written right now, so not abandoned; the next sweep
  // sees them.
  auto r = (*c)->exec(
      "WITH picked AS (SELECT id, state FROM objects WHERE job_id = $1 AND state = ANY('{staged,failed,uploading}') "
      "AND lease_expires <= $3 AND staged_path IS NOT NULL AND staged_host IS NOT NULL "
      "AND NOT (staged_host = ANY($2::text[])) FOR UPDATE SKIP LOCKED) "
      "UPDATE objects o SET state = 'pending', lease_owner = NULL, lease_expires = 0, lease_epoch = o.lease_epoch + 1, "
      "staged_volume = NULL, staged_path = NULL, staged_size = NULL, staged_md5 = NULL, staged_crc32c = NULL, "
      "staged_metadata = NULL, staged_host = NULL, updated_at = $3 FROM picked WHERE o.id = picked.id "
      "RETURNING picked.state, o.size",
      Params().i64(job.value).array(present.str()).i64(now));
  if (!r) return std::unexpected(r.error());
  for (int i = 0; i < r->size(); ++i) {
    totals.move(job, parse_object_state(r->text(i, 0)).value_or(ObjectState::staged), ObjectState::pending,
                r->i64(i, 1));
  }
  n += static_cast<uint64_t>(r->size());
  if (auto st = totals.apply(**c); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return n;
}

}  // namespace s5j::ledger
