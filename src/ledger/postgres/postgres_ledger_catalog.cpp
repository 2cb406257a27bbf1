// PostgresLedger, the ObjectCatalog part: reading records, and the figures
// of `s5j status` (planning and requeueing are in
// postgres_ledger_planning.cpp, reopening in postgres_ledger_reopen.cpp).
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"
#include "ledger/size_class_totals.h"

namespace s5j::ledger {

using pg::from_ms;
using pg::Params;

// ---- Reads ----

Result<std::vector<ObjectRecord>> PostgresLedger::list_objects(JobId job, const ListQuery& query) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  // One statement for every variant: the (job_id, key) unique index walks
  // the keys in order; a NULL bound for after_key or state drops that term.
  auto r = (*c)->exec("SELECT " S5J_PG_OBJECT_COLUMNS
                      " FROM objects WHERE job_id = $1 AND ($2::bytea IS NULL OR key > $2) "
                      "AND ($3::text IS NULL OR state = $3) ORDER BY key LIMIT $4",
                      Params()
                          .i64(job.value)
                          .opt_bytea(query.after_key)
                          .opt_text(query.state ? std::optional<std::string>(to_string(*query.state)) : std::nullopt)
                          .i64(static_cast<int64_t>(query.limit)));
  if (!r) return std::unexpected(r.error());
  return pg::read_objects(*r);
}

Result<std::optional<ObjectRecord>> PostgresLedger::find_object(JobId job, std::string_view key) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("SELECT " S5J_PG_OBJECT_COLUMNS " FROM objects WHERE job_id = $1 AND key = $2",
                      Params().i64(job.value).bytea(key));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(pg::read_object(*r, 0));
}

Result<std::optional<ObjectRecord>> PostgresLedger::get_object_locked(pg::Connection& c, ObjectId id) {
  auto r = c.exec("SELECT " S5J_PG_OBJECT_COLUMNS " FROM objects WHERE id = $1", Params().i64(id.value));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(pg::read_object(*r, 0));
}

Result<std::optional<ObjectRecord>> PostgresLedger::get_object(ObjectId id) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  return get_object_locked(**c, id);
}

// ---- Status ----

Result<std::vector<SizeClassTotals>> PostgresLedger::size_class_rows(JobId job) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  // Kept with every write (pg::TotalsDelta): a few rows whatever the object count.
  auto r = (*c)->exec("SELECT state, size_class, objects, bytes FROM object_totals WHERE job_id = $1",
                      Params().i64(job.value));
  if (!r) return std::unexpected(r.error());
  std::vector<SizeClassTotals> out;
  for (int i = 0; i < r->size(); ++i) {
    const auto state = parse_object_state(r->text(i, 0));
    if (!state) continue;
    out.push_back(SizeClassTotals{*state, static_cast<int>(r->i64(i, 1)), static_cast<uint64_t>(r->i64(i, 2)),
                                  static_cast<uint64_t>(r->i64(i, 3))});
  }
  return out;
}

Result<std::vector<StateTotals>> PostgresLedger::totals(JobId job) {
  auto mode = job_mode(job);
  if (!mode) return std::unexpected(mode.error());
  auto rows = size_class_rows(job);
  if (!rows) return std::unexpected(rows.error());
  return sum_over_size_classes(*mode, *rows);
}

Result<std::vector<SizeClassTotals>> PostgresLedger::totals_by_size_class(JobId job) {
  auto mode = job_mode(job);
  if (!mode) return std::unexpected(mode.error());
  auto rows = size_class_rows(job);
  if (!rows) return std::unexpected(rows.error());
  return ordered_size_class_totals(*mode, std::move(*rows));
}

Result<std::vector<ErrorEntry>> PostgresLedger::recent_errors(JobId job, size_t limit) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec(
      "SELECT id, key, state, attempts, last_error, error_at FROM objects "
      "WHERE job_id = $1 AND error_at IS NOT NULL ORDER BY error_at DESC, id DESC LIMIT $2",
      Params().i64(job.value).i64(static_cast<int64_t>(limit)));
  if (!r) return std::unexpected(r.error());
  std::vector<ErrorEntry> out;
  for (int i = 0; i < r->size(); ++i) {
    ErrorEntry e;
    e.id = ObjectId{r->i64(i, 0)};
    e.key = r->bytea(i, 1);
    e.state = parse_object_state(r->text(i, 2)).value_or(ObjectState::failed);
    e.attempts = static_cast<uint32_t>(r->i64(i, 3));
    e.error = r->text(i, 4);
    e.at = from_ms(r->i64(i, 5));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace s5j::ledger
