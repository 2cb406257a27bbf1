// SqliteLedger, the ObjectCatalog part: planning (merging a source listing)
// and putting failed records, and those staged on absent hosts, back in line.
#include <nlohmann/json.hpp>

#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::WriteTransaction;

Result<UpsertStats> SqliteLedger::upsert_listed(JobId job, std::span<const ListedObject> objects) {
  UpsertStats stats;
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  if (auto st = upsert_listed_locked(job, objects, now_ms(), stats); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return stats;
}

Status SqliteLedger::upsert_listed_locked(JobId job, std::span<const ListedObject> objects, int64_t now,
                                          UpsertStats& stats) {
  sqlite::ObjectTotalsDelta totals;
  auto bind_mtime = [](sqlite::Statement& s, int i, const ListedObject& o) {
    if (o.last_modified) {
      s.bind(i, sqlite::to_ms(*o.last_modified));
    } else {
      s.bind_null(i);
    }
  };
  auto bind_dest_etag = [](sqlite::Statement& s, int i, const ListedObject& o) {
    sqlite::bind_dest_etag(s, i, o.at_destination ? std::optional<std::string>(o.etag) : std::nullopt, o.etag);
  };
  for (const ListedObject& o : objects) {
    // A new key (nearly every key of a first listing) costs one index
    // descent: the insert is tried first, and only a key already recorded
    // is read back and compared. Selecting first cost a second descent per
    // new key (about a fifth of a first listing's time at 10^6 keys).
    // Where the merge leaves the record pending, one found at the
    // destination is verified instead (ListedObject::at_destination).
    const ObjectState to = o.at_destination ? ObjectState::verified : ObjectState::pending;
    auto found_at_destination = [&] {
      if (!o.at_destination) return;
      ++stats.found_at_destination;
      stats.found_at_destination_bytes += o.size;
    };
    auto ins = state_.db->cached(
        "INSERT INTO objects(job_id, key, size, source_etag, source_mtime, state, dest_etag, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?8, ?6, ?6) ON CONFLICT(job_id, key) DO NOTHING");
    if (!ins) return std::unexpected(ins.error());
    (*ins)->bind(1, job.value).bind_blob(2, o.key).bind(3, static_cast<int64_t>(o.size)).bind_text(4, o.etag);
    bind_mtime(**ins, 5, o);
    (*ins)->bind(6, now).bind_text(7, to_string(to));
    bind_dest_etag(**ins, 8, o);
    if (auto st = (*ins)->run(); !st) {
      // A job id that does not exist fails the foreign key.
      return std::unexpected(st.error());
    }
    if (state_.db->changes() == 1) {
      totals.enter(job, to, static_cast<int64_t>(o.size));
      ++stats.inserted;
      found_at_destination();
      continue;
    }
    auto sel = state_.db->cached("SELECT id, size, source_etag, state FROM objects WHERE job_id = ?1 AND key = ?2");
    if (!sel) return std::unexpected(sel.error());
    (*sel)->bind(1, job.value).bind_blob(2, o.key);
    auto row = (*sel)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) {
      (*sel)->reset();
      return ledger_error(ErrorKind::permanent, kLedgerError,
                          "a listed key was neither inserted nor found in " + state_.db->path());
    }
    const int64_t id = (*sel)->get_int(0);
    const int64_t old_size = (*sel)->get_int(1);
    const bool changed = static_cast<uint64_t>(old_size) != o.size || (*sel)->get_text(2) != o.etag;
    const ObjectState old_state = parse_object_state((*sel)->get_text(3)).value_or(ObjectState::pending);
    const bool vanished = old_state == ObjectState::vanished;
    (*sel)->reset();
    if (changed) {
      // A new version of the object: everything learned about the old one
      // (checksums, staged copy, destination ETag, parts) no longer applies.
      auto upd = state_.db->cached(
          "UPDATE objects SET size = ?2, source_etag = ?3, source_mtime = ?4, state = ?6, attempts = 0, "
          "last_error = NULL, error_at = NULL, md5 = NULL, crc32c = NULL, crc64nvme = NULL, dest_etag = ?7, lease_owner = NULL, "
          "lease_expires = 0, staged_volume = NULL, staged_host = NULL, staged_path = NULL, staged_size = NULL, staged_md5 = NULL, "
          "staged_crc32c = NULL, staged_metadata = NULL, updated_at = ?5 WHERE id = ?1");
      if (!upd) return std::unexpected(upd.error());
      (*upd)->bind(1, id).bind(2, static_cast<int64_t>(o.size)).bind_text(3, o.etag);
      bind_mtime(**upd, 4, o);
      (*upd)->bind(5, now).bind_text(6, to_string(to));
      bind_dest_etag(**upd, 7, o);
      if (auto st = (*upd)->run(); !st) return std::unexpected(st.error());
      auto ab = state_.db->cached(
          "UPDATE uploads SET status = 'abandoned', updated_at = ?2 WHERE object_id = ?1 AND status = 'active'");
      if (!ab) return std::unexpected(ab.error());
      if (auto st = (*ab)->bind(1, id).bind(2, now).run(); !st) return std::unexpected(st.error());
      totals.leave(job, old_state, old_size);
      totals.enter(job, to, static_cast<int64_t>(o.size));
      ++stats.changed;
      found_at_destination();
    } else if (vanished || (o.at_destination && old_state == ObjectState::pending)) {
      // Revived (pending again), or a pending one found at the destination.
      auto upd = state_.db->cached(
          "UPDATE objects SET state = ?3, dest_etag = COALESCE(?4, dest_etag), lease_owner = NULL, lease_expires = 0, "
          "updated_at = ?2 "
          "WHERE id = ?1");
      if (!upd) return std::unexpected(upd.error());
      (*upd)->bind(1, id).bind(2, now).bind_text(3, to_string(to));
      bind_dest_etag(**upd, 4, o);
      if (auto st = (*upd)->run(); !st) return std::unexpected(st.error());
      totals.move(job, old_state, to, old_size);
      ++(vanished ? stats.revived : stats.unchanged);
      found_at_destination();
    } else {
      ++stats.unchanged;
    }
  }
  // The page's totals, in the caller's transaction.
  return totals.apply(*state_.db);
}

Result<uint64_t> SqliteLedger::requeue_failed(JobId job) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  sqlite::ObjectTotalsDelta totals;
  uint64_t n = 0;
  // Each update returns the sizes it moved, for the totals.
  auto requeue = [&](const char* sql, ObjectState to) -> Status {
    auto st = state_.db->cached(sql);
    if (!st) return std::unexpected(st.error());
    (*st)->bind(1, job.value).bind(2, now_ms());
    for (;;) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return {};
      totals.move(job, ObjectState::failed, to, (*st)->get_int(0));
      ++n;
    }
  };
  // A failed upload of a staged job retries from its staged copy; anything
  // else starts over from the source.
  if (auto st = requeue(
          "UPDATE objects SET state = 'staged', attempts = attempts + 1, lease_owner = NULL, lease_expires = 0, "
          "updated_at = ?2 WHERE job_id = ?1 AND state = 'failed' AND " S5J_CLAIM_INDEX_WHERE " AND staged_path IS NOT NULL "
          "AND (SELECT mode FROM jobs WHERE id = ?1) = 'staged' RETURNING size",
          ObjectState::staged);
      !st) {
    return std::unexpected(st.error());
  }
  if (auto st = requeue(
          "UPDATE objects SET state = 'pending', lease_owner = NULL, lease_expires = 0, updated_at = ?2 "
          "WHERE job_id = ?1 AND state = 'failed' AND " S5J_CLAIM_INDEX_WHERE " RETURNING size",
          ObjectState::pending);
      !st) {
    return std::unexpected(st.error());
  }
  if (auto st = totals.apply(*state_.db); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return n;
}

Result<uint64_t> SqliteLedger::unstage_absent_hosts(JobId job, std::span<const std::string> present_hosts) {
  const std::string present = nlohmann::json(std::vector<std::string>(present_hosts.begin(), present_hosts.end())).dump();
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  sqlite::ObjectTotalsDelta totals;
  uint64_t n = 0;
  // One state at a time, so that each row's totals move from the state it
  // had (RETURNING gives the new one); each over the claim index.
  for (ObjectState from : {ObjectState::staged, ObjectState::failed, ObjectState::uploading}) {
    auto st = state_.db->cached(
        "UPDATE objects SET state = 'pending', lease_owner = NULL, lease_expires = 0, lease_epoch = lease_epoch + 1, "
        "staged_volume = NULL, staged_path = NULL, staged_size = NULL, staged_md5 = NULL, staged_crc32c = NULL, "
        "staged_metadata = NULL, staged_host = NULL, updated_at = ?4 "
        "WHERE job_id = ?1 AND state = ?2 AND " S5J_CLAIM_INDEX_WHERE " AND lease_expires <= ?4 "
        "AND staged_path IS NOT NULL AND staged_host IS NOT NULL "
        "AND staged_host NOT IN (SELECT value FROM json_each(?3)) RETURNING size");
    if (!st) return std::unexpected(st.error());
    (*st)->bind(1, job.value).bind_text(2, to_string(from)).bind_text(3, present).bind(4, now);
    for (;;) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      totals.move(job, from, ObjectState::pending, (*st)->get_int(0));
      ++n;
    }
  }
  if (auto st = totals.apply(*state_.db); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return n;
}

}  // namespace s5j::ledger
