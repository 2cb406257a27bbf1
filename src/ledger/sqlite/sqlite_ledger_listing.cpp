// SqliteLedger, the ListingRanges part: source listings in progress, their
// key ranges as leased work items, and the page commit that merges a page
// into the catalog and moves the range's cursor in one transaction.
#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::from_ms;
using sqlite::WriteTransaction;

namespace {

#define S5J_RANGE_COLUMNS \
  "id, listing_id, after_key, through_key, cursor, done, objects, pages, lease_owner, lease_expires"

ListingRange read_range(const sqlite::Statement& st) {
  ListingRange r;
  r.id = RangeId{st.get_int(0)};
  r.listing = ListingId{st.get_int(1)};
  r.after = st.get_blob(2);
  if (!st.is_null(3)) r.through = st.get_blob(3);
  r.cursor = st.get_blob(4);
  r.done = st.get_int(5) != 0;
  r.objects = static_cast<uint64_t>(st.get_int(6));
  r.pages = static_cast<uint64_t>(st.get_int(7));
  r.lease_owner = st.get_text(8);
  if (!r.lease_owner.empty()) r.lease_expires = from_ms(st.get_int(9));
  return r;
}


}  // namespace

Result<ListingRecord> SqliteLedger::open_listing(JobId job, std::string_view scope) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  auto sel = state_.db->cached("SELECT id, scope FROM listings WHERE job_id = ?1 ORDER BY id");
  if (!sel) return std::unexpected(sel.error());
  (*sel)->bind(1, job.value);
  std::optional<int64_t> resumed;
  std::vector<int64_t> dropped;
  for (;;) {
    auto row = (*sel)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    if (!resumed && (*sel)->get_blob(1) == scope) {
      resumed = (*sel)->get_int(0);
    } else {
      dropped.push_back((*sel)->get_int(0));
    }
  }
  (*sel)->reset();
  for (int64_t id : dropped) {
    const std::string sql = "DELETE FROM listing_ranges WHERE listing_id = " + std::to_string(id) +
                            "; DELETE FROM listings WHERE id = " + std::to_string(id) + ";";
    if (auto st = state_.db->exec(sql); !st) return std::unexpected(st.error());
  }
  ListingRecord record{.job = job, .scope = std::string(scope)};
  if (resumed) {
    record.id = ListingId{*resumed};
    record.resumed = true;
  } else {
    auto ins = state_.db->cached("INSERT INTO listings(job_id, scope, started_at) VALUES (?1, ?2, ?3)");
    if (!ins) return std::unexpected(ins.error());
    if (auto st = (*ins)->bind(1, job.value).bind_blob(2, scope).bind(3, now_ms()).run(); !st)
      return std::unexpected(st.error());  // a job id that does not exist fails the foreign key
    record.id = ListingId{state_.db->last_insert_rowid()};
    auto range = state_.db->cached("INSERT INTO listing_ranges(listing_id, after_key, cursor) VALUES (?1, ?2, ?2)");
    if (!range) return std::unexpected(range.error());
    if (auto st = (*range)->bind(1, record.id.value).bind_blob(2, std::string_view()).run(); !st)
      return std::unexpected(st.error());
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return record;
}

Result<std::vector<ListingRange>> SqliteLedger::listing_ranges(ListingId listing) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("SELECT " S5J_RANGE_COLUMNS " FROM listing_ranges WHERE listing_id = ?1 ORDER BY after_key");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, listing.value);
  std::vector<ListingRange> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_range(**st));
  }
  return out;
}

Result<std::optional<ListingRange>> SqliteLedger::get_range_locked(RangeId range) {
  auto st = state_.db->cached("SELECT " S5J_RANGE_COLUMNS " FROM listing_ranges WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, range.value);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ListingRange>();
  return std::optional<ListingRange>(read_range(**st));
}

Result<std::optional<ListingRange>> SqliteLedger::split_range(RangeId range, std::string_view at) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  auto current = get_range_locked(range);
  if (!current) return std::unexpected(current.error());
  if (!*current) return std::optional<ListingRange>();
  const ListingRange& r = **current;
  if (!can_split_at(r, at)) return std::optional<ListingRange>();
  auto ins = state_.db->cached(
      "INSERT INTO listing_ranges(listing_id, after_key, through_key, cursor) VALUES (?1, ?2, ?3, ?2)");
  if (!ins) return std::unexpected(ins.error());
  (*ins)->bind(1, r.listing.value).bind_blob(2, at);
  if (r.through) {
    (*ins)->bind_blob(3, *r.through);
  } else {
    (*ins)->bind_null(3);
  }
  if (auto st = (*ins)->run(); !st) return std::unexpected(st.error());
  const RangeId added{state_.db->last_insert_rowid()};
  auto cut = state_.db->cached("UPDATE listing_ranges SET through_key = ?2 WHERE id = ?1");
  if (!cut) return std::unexpected(cut.error());
  if (auto st = (*cut)->bind(1, range.value).bind_blob(2, at).run(); !st) return std::unexpected(st.error());
  auto made = get_range_locked(added);
  if (!made) return std::unexpected(made.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return made;
}

Result<std::optional<ListingRange>> SqliteLedger::claim_range(ListingId listing, std::string_view owner,
                                                              std::chrono::milliseconds lease) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  auto sel = state_.db->cached(
      "SELECT id FROM listing_ranges WHERE listing_id = ?1 AND done = 0 AND "
      "(lease_owner IS NULL OR lease_expires <= ?2) ORDER BY after_key LIMIT 1");
  if (!sel) return std::unexpected(sel.error());
  (*sel)->bind(1, listing.value).bind(2, now);
  auto row = (*sel)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ListingRange>();
  const RangeId id{(*sel)->get_int(0)};
  (*sel)->reset();
  auto upd = state_.db->cached("UPDATE listing_ranges SET lease_owner = ?2, lease_expires = ?3 WHERE id = ?1");
  if (!upd) return std::unexpected(upd.error());
  if (auto st = (*upd)->bind(1, id.value).bind_text(2, owner).bind(3, now + lease.count()).run(); !st)
    return std::unexpected(st.error());
  auto claimed = get_range_locked(id);
  if (!claimed) return std::unexpected(claimed.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return claimed;
}

Status SqliteLedger::release_ranges(ListingId listing) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "UPDATE listing_ranges SET lease_owner = NULL, lease_expires = 0 WHERE listing_id = ?1 AND "
      "lease_owner IS NOT NULL");
  if (!st) return std::unexpected(st.error());
  return (*st)->bind(1, listing.value).run();
}

Result<std::vector<RangePageCommit>> SqliteLedger::commit_range_pages(std::span<const RangePage> pages,
                                                                      std::chrono::milliseconds lease) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  std::vector<RangePageCommit> out;
  out.reserve(pages.size());
  for (const RangePage& page : pages) {
    auto one = commit_range_page_locked(page, now, lease);
    if (!one) return std::unexpected(one.error());  // the transaction rolls back
    out.push_back(std::move(*one));
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return out;
}

Result<RangePageCommit> SqliteLedger::commit_range_page_locked(const RangePage& page, int64_t now,
                                                              std::chrono::milliseconds lease) {
  auto current = get_range_locked(page.range);
  if (!current) return std::unexpected(current.error());
  if (!*current)
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "listing range " + std::to_string(page.range.value) + " not found (its listing was finished)");
  RangePageCommit out;
  out.range = std::move(**current);
  ListingRange& r = out.range;
  const std::span<const ListedObject> objects = page.objects;
  const auto inside = objects_inside(r, objects);
  auto job = state_.db->cached("SELECT job_id FROM listings WHERE id = ?1");
  if (!job) return std::unexpected(job.error());
  (*job)->bind(1, r.listing.value);
  auto row = (*job)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return ledger_error(ErrorKind::permanent, kLedgerNotFound, "listing of range not found");
  const JobId job_id{(*job)->get_int(0)};
  (*job)->reset();
  if (auto st = upsert_listed_locked(job_id, inside, now, out.upsert); !st) return std::unexpected(st.error());
  out.accepted = inside.size();
  for (const ListedObject& o : inside) out.accepted_bytes += o.size;
  if (!inside.empty()) r.cursor = inside.back().key;
  // Keys of the page past the run are past `through`: the range is listed.
  const bool past_through = inside.data() + inside.size() != objects.data() + objects.size();
  r.done = page.last_page || past_through || (r.through && r.cursor == *r.through);
  r.objects += inside.size();
  r.pages += 1;
  r.lease_expires = from_ms(now + lease.count());
  auto upd = state_.db->cached(
      "UPDATE listing_ranges SET cursor = ?2, done = ?3, objects = ?4, pages = ?5, lease_expires = ?6 WHERE id = ?1");
  if (!upd) return std::unexpected(upd.error());
  (*upd)->bind(1, page.range.value).bind_blob(2, r.cursor).bind(3, r.done ? 1 : 0);
  (*upd)->bind(4, static_cast<int64_t>(r.objects)).bind(5, static_cast<int64_t>(r.pages)).bind(6, now + lease.count());
  if (auto st = (*upd)->run(); !st) return std::unexpected(st.error());
  return out;
}

Status SqliteLedger::finish_listing(ListingId listing) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  const std::string id = std::to_string(listing.value);
  const std::string sql =
      "DELETE FROM listing_ranges WHERE listing_id = " + id + "; DELETE FROM listings WHERE id = " + id + ";";
  if (auto st = state_.db->exec(sql); !st) return st;
  return txn->commit();
}

}  // namespace s5j::ledger
