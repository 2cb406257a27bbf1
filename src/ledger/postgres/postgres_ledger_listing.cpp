// PostgresLedger, the ListingRanges part: source listings in progress,
// their key ranges as leased work items (claimed with SKIP LOCKED, like
// objects), and the page commit that merges a page into the catalog and
// moves the range's cursor in one transaction.
#include "ledger/ledger_error.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::from_ms;
using pg::Params;

namespace {

#define S5J_PG_RANGE_COLUMNS \
  "id, listing_id, after_key, through_key, cursor, done, objects, pages, lease_owner, lease_expires"

ListingRange read_range(const pg::Rows& r, int i) {
  ListingRange out;
  out.id = RangeId{r.i64(i, 0)};
  out.listing = ListingId{r.i64(i, 1)};
  out.after = r.bytea(i, 2);
  if (!r.is_null(i, 3)) out.through = r.bytea(i, 3);
  out.cursor = r.bytea(i, 4);
  out.done = r.boolean(i, 5);
  out.objects = static_cast<uint64_t>(r.i64(i, 6));
  out.pages = static_cast<uint64_t>(r.i64(i, 7));
  out.lease_owner = r.text(i, 8);
  if (!out.lease_owner.empty()) out.lease_expires = from_ms(r.i64(i, 9));
  return out;
}


}  // namespace

Result<ListingRecord> PostgresLedger::open_listing(JobId job, std::string_view scope) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  // The job's row first: two hosts opening the job's listing take turns.
  auto job_row = (*c)->exec("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", Params().i64(job.value));
  if (!job_row) return std::unexpected(job_row.error());
  if (job_row->size() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound, "no job with id " + std::to_string(job.value));
  }
  auto sel = (*c)->exec("SELECT id, scope FROM listings WHERE job_id = $1 ORDER BY id", Params().i64(job.value));
  if (!sel) return std::unexpected(sel.error());
  std::optional<int64_t> resumed;
  pg::ArrayLiteral dropped;
  for (int i = 0; i < sel->size(); ++i) {
    if (!resumed && sel->bytea(i, 1) == scope) {
      resumed = sel->i64(i, 0);
    } else {
      dropped.i64(sel->i64(i, 0));
    }
  }
  if (!dropped.empty()) {
    auto d1 = (*c)->exec("DELETE FROM listing_ranges WHERE listing_id = ANY($1::bigint[])", Params().array(dropped.str()));
    if (!d1) return std::unexpected(d1.error());
    auto d2 = (*c)->exec("DELETE FROM listings WHERE id = ANY($1::bigint[])", Params().array(dropped.str()));
    if (!d2) return std::unexpected(d2.error());
  }
  ListingRecord record{.job = job, .scope = std::string(scope)};
  if (resumed) {
    record.id = ListingId{*resumed};
    record.resumed = true;
  } else {
    auto ins = (*c)->exec("INSERT INTO listings(job_id, scope, started_at) VALUES ($1, $2, $3) RETURNING id",
                          Params().i64(job.value).bytea(scope).i64(now_ms()));
    if (!ins) return std::unexpected(ins.error());
    record.id = ListingId{ins->i64(0, 0)};
    auto range = (*c)->exec("INSERT INTO listing_ranges(listing_id, after_key, cursor) VALUES ($1, $2, $2)",
                            Params().i64(record.id.value).bytea(""));
    if (!range) return std::unexpected(range.error());
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return record;
}

Result<std::vector<ListingRange>> PostgresLedger::listing_ranges(ListingId listing) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("SELECT " S5J_PG_RANGE_COLUMNS " FROM listing_ranges WHERE listing_id = $1 ORDER BY after_key",
                      Params().i64(listing.value));
  if (!r) return std::unexpected(r.error());
  std::vector<ListingRange> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_range(*r, i));
  return out;
}

Result<std::optional<ListingRange>> PostgresLedger::get_range_locked(pg::Connection& c, RangeId range,
                                                                     bool for_update) {
  auto r = c.exec(std::string("SELECT " S5J_PG_RANGE_COLUMNS " FROM listing_ranges WHERE id = $1") +
                      (for_update ? " FOR UPDATE" : ""),
                  Params().i64(range.value));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) return std::optional<ListingRange>();
  return std::optional<ListingRange>(read_range(*r, 0));
}

Result<std::optional<ListingRange>> PostgresLedger::split_range(RangeId range, std::string_view at) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  auto current = get_range_locked(**c, range, true);
  if (!current) return std::unexpected(current.error());
  if (!*current) return std::optional<ListingRange>();
  const ListingRange& r = **current;
  if (!can_split_at(r, at)) return std::optional<ListingRange>();
  auto ins = (*c)->exec(
      "INSERT INTO listing_ranges(listing_id, after_key, through_key, cursor) VALUES ($1, $2, $3, $2) "
      "RETURNING " S5J_PG_RANGE_COLUMNS,
      Params().i64(r.listing.value).bytea(at).opt_bytea(r.through));
  if (!ins) return std::unexpected(ins.error());
  ListingRange made = read_range(*ins, 0);
  auto cut = (*c)->exec("UPDATE listing_ranges SET through_key = $2 WHERE id = $1", Params().i64(range.value).bytea(at));
  if (!cut) return std::unexpected(cut.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return std::optional<ListingRange>(std::move(made));
}

Result<std::optional<ListingRange>> PostgresLedger::claim_range(ListingId listing, std::string_view owner,
                                                                std::chrono::milliseconds lease) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  const int64_t now = now_ms();
  auto r = (*c)->exec(
      "WITH picked AS (SELECT id FROM listing_ranges WHERE listing_id = $1 AND NOT done AND "
      "(lease_owner IS NULL OR lease_expires <= $2) ORDER BY after_key LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "UPDATE listing_ranges r SET lease_owner = $3, lease_expires = $4 FROM picked WHERE r.id = picked.id "
      "RETURNING r.id, r.listing_id, r.after_key, r.through_key, r.cursor, r.done, r.objects, r.pages, "
      "r.lease_owner, r.lease_expires",
      Params().i64(listing.value).i64(now).text(owner).i64(now + lease.count()));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) return std::optional<ListingRange>();
  return std::optional<ListingRange>(read_range(*r, 0));
}

Status PostgresLedger::release_ranges(ListingId listing) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec(
      "UPDATE listing_ranges SET lease_owner = NULL, lease_expires = 0 WHERE listing_id = $1 AND "
      "lease_owner IS NOT NULL",
      Params().i64(listing.value));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<std::vector<RangePageCommit>> PostgresLedger::commit_range_pages(std::span<const RangePage> pages,
                                                                        std::chrono::milliseconds lease) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  const int64_t now = now_ms();
  pg::TotalsDelta totals;
  std::vector<RangePageCommit> out;
  out.reserve(pages.size());
  for (const RangePage& page : pages) {
    auto one = commit_range_page_locked(**c, page, now, lease, totals);
    if (!one) return std::unexpected(one.error());  // the transaction rolls back
    out.push_back(std::move(*one));
  }
  if (auto st = totals.apply(**c); !st) return std::unexpected(st.error());
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  return out;
}

Result<RangePageCommit> PostgresLedger::commit_range_page_locked(pg::Connection& c, const RangePage& page, int64_t now,
                                                                 std::chrono::milliseconds lease,
                                                                 pg::TotalsDelta& totals) {
  auto current = get_range_locked(c, page.range, true);
  if (!current) return std::unexpected(current.error());
  if (!*current)
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "listing range " + std::to_string(page.range.value) + " not found (its listing was finished)");
  RangePageCommit out;
  out.range = std::move(**current);
  ListingRange& r = out.range;
  const std::span<const ListedObject> objects = page.objects;
  const auto inside = objects_inside(r, objects);
  auto job = c.exec("SELECT job_id FROM listings WHERE id = $1", Params().i64(r.listing.value));
  if (!job) return std::unexpected(job.error());
  if (job->size() == 0) return ledger_error(ErrorKind::permanent, kLedgerNotFound, "listing of range not found");
  const JobId job_id{job->i64(0, 0)};
  if (auto st = upsert_listed_locked(c, job_id, inside, now, out.upsert, totals); !st)
    return std::unexpected(st.error());
  out.accepted = inside.size();
  for (const ListedObject& o : inside) out.accepted_bytes += o.size;
  if (!inside.empty()) r.cursor = inside.back().key;
  // Keys of the page past the run are past `through`: the range is listed.
  const bool past_through = inside.data() + inside.size() != objects.data() + objects.size();
  r.done = page.last_page || past_through || (r.through && r.cursor == *r.through);
  r.objects += inside.size();
  r.pages += 1;
  r.lease_expires = from_ms(now + lease.count());
  auto upd = c.exec(
      "UPDATE listing_ranges SET cursor = $2, done = $3, objects = $4, pages = $5, lease_expires = $6 WHERE id = $1",
      Params()
          .i64(page.range.value)
          .bytea(r.cursor)
          .boolean(r.done)
          .i64(static_cast<int64_t>(r.objects))
          .i64(static_cast<int64_t>(r.pages))
          .i64(now + lease.count()));
  if (!upd) return std::unexpected(upd.error());
  return out;
}

Status PostgresLedger::finish_listing(ListingId listing) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  auto d1 = (*c)->exec("DELETE FROM listing_ranges WHERE listing_id = $1", Params().i64(listing.value));
  if (!d1) return std::unexpected(d1.error());
  auto d2 = (*c)->exec("DELETE FROM listings WHERE id = $1", Params().i64(listing.value));
  if (!d2) return std::unexpected(d2.error());
  return txn->commit();
}

}  // namespace s5j::ledger
