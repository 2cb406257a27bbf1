// SqliteLedger, the ObjectCatalog part: reading records, and the figures of
// `s5j status` (planning is in sqlite_ledger_planning.cpp, reopening in
// sqlite_ledger_reopen.cpp).
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/size_class_totals.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::from_ms;
using sqlite::read_object;

// ---- Reads ----

Result<std::vector<ObjectRecord>> SqliteLedger::list_objects(JobId job, const ListQuery& query) {
  std::lock_guard lock(db_mu_);
  // Four literal variants so each is a cached prepared statement; all walk
  // the (job_id, key) unique index in key order.
  const char* sql = nullptr;
  if (query.after_key && query.state) {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND key > ?2 AND state = ?3 "
          "ORDER BY key LIMIT ?4";
  } else if (query.after_key) {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND key > ?2 ORDER BY key LIMIT ?4";
  } else if (query.state) {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND state = ?3 ORDER BY key LIMIT ?4";
  } else {
    sql = "SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 ORDER BY key LIMIT ?4";
  }
  auto st = state_.db->cached(sql);
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  if (query.after_key) (*st)->bind_blob(2, *query.after_key);
  if (query.state) (*st)->bind_text(3, to_string(*query.state));
  (*st)->bind(4, static_cast<int64_t>(query.limit));
  return sqlite::read_objects(**st);
}

Result<std::optional<ObjectRecord>> SqliteLedger::find_object(JobId job, std::string_view key) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE job_id = ?1 AND key = ?2");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value).bind_blob(2, key);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(read_object(**st));
}

Result<std::optional<ObjectRecord>> SqliteLedger::get_object_locked(ObjectId id) {
  auto st = state_.db->cached("SELECT " S5J_OBJECT_COLUMNS " FROM objects WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, id.value);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(read_object(**st));
}

Result<std::optional<ObjectRecord>> SqliteLedger::get_object(ObjectId id) {
  std::lock_guard lock(db_mu_);
  return get_object_locked(id);
}

// ---- Status ----

Result<std::vector<SizeClassTotals>> SqliteLedger::size_class_rows(JobId job) {
  std::lock_guard lock(db_mu_);
  // Kept with every write (object_totals.h): a few rows whatever the object count.
  auto st = state_.db->cached("SELECT state, size_class, objects, bytes FROM object_totals WHERE job_id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  std::vector<SizeClassTotals> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    const auto state = parse_object_state((*st)->get_text(0));
    if (!state) continue;
    out.push_back(SizeClassTotals{*state, static_cast<int>((*st)->get_int(1)),
                                  static_cast<uint64_t>((*st)->get_int(2)), static_cast<uint64_t>((*st)->get_int(3))});
  }
}

Result<std::vector<StateTotals>> SqliteLedger::totals(JobId job) {
  auto mode = job_mode(job);
  if (!mode) return std::unexpected(mode.error());
  auto rows = size_class_rows(job);
  if (!rows) return std::unexpected(rows.error());
  return sum_over_size_classes(*mode, *rows);
}

Result<std::vector<SizeClassTotals>> SqliteLedger::totals_by_size_class(JobId job) {
  auto mode = job_mode(job);
  if (!mode) return std::unexpected(mode.error());
  auto rows = size_class_rows(job);
  if (!rows) return std::unexpected(rows.error());
  return ordered_size_class_totals(*mode, std::move(*rows));
}

Result<std::vector<ErrorEntry>> SqliteLedger::recent_errors(JobId job, size_t limit) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "SELECT id, key, state, attempts, last_error, error_at FROM objects "
      "WHERE job_id = ?1 AND error_at IS NOT NULL ORDER BY error_at DESC, id DESC LIMIT ?2");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value).bind(2, static_cast<int64_t>(limit));
  std::vector<ErrorEntry> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    ErrorEntry e;
    e.id = ObjectId{(*st)->get_int(0)};
    e.key = (*st)->get_blob(1);
    e.state = parse_object_state((*st)->get_text(2)).value_or(ObjectState::failed);
    e.attempts = static_cast<uint32_t>((*st)->get_int(3));
    e.error = (*st)->get_text(4);
    e.at = from_ms((*st)->get_int(5));
    out.push_back(std::move(e));
  }
}

}  // namespace s5j::ledger
