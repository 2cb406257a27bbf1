// SqliteLedger, the JobControl part: the job lock, whole job or per role,
// exclusive or shared (lock_rules.h), and the activity and figures its holders
// publish on it.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "base/strings.h"
#include "ledger/ledger_error.h"
#include "ledger/lock_rules.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::from_ms;
using sqlite::WriteTransaction;

namespace {

// Every lock row of the job, ordered by role ('' = the whole job, first).
Result<std::vector<LockHolder>> read_locks(sqlite::Database& db, JobId job) {
  auto st = db.cached(
      "SELECT owner, pid, host, acquired_at, expires_at, role, activity, activity_since, activity_wanted_bytes, "
      "activity_next_scan_at, activity_detail, activity_retry_at, shared, renewed_at, figures FROM job_locks "
      "WHERE job_id = ?1 "
      "ORDER BY role, acquired_at, owner");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  std::vector<LockHolder> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    const auto& s = **st;
    out.push_back(LockHolder{s.get_text(0), s.get_int(1), s.get_text(2), from_ms(s.get_int(3)), from_ms(s.get_int(4)),
                             s.get_text(5)});
    out.back().shared = s.get_int(12) != 0;
    out.back().renewed_at = from_ms(s.get_int(13));
    if (!s.is_null(14)) out.back().figures = s.get_text(14);
    if (!s.is_null(6)) {
      RunActivity a{s.get_text(6), from_ms(s.get_int(7))};
      if (!s.is_null(8)) a.wanted_bytes = static_cast<uint64_t>(s.get_int(8));
      if (!s.is_null(9)) a.next_scan_at = from_ms(s.get_int(9));
      if (!s.is_null(10)) a.detail = s.get_text(10);
      if (!s.is_null(11)) a.retry_at = from_ms(s.get_int(11));
      out.back().activity = std::move(a);
    }
  }
}

}  // namespace

Result<LockOutcome> SqliteLedger::acquire_job_lock(JobId job, const LockRequest& request) {
  if (auto checked = check_lock_request(request); !checked) return std::unexpected(checked.error());
  // The whole job is the role ''; it conflicts with every role.
  const std::vector<std::string> roles = lock_rows_of(request);
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  auto current = read_locks(*state_.db, job);
  if (!current) return std::unexpected(current.error());
  const int64_t now = now_ms();
  std::map<std::string, TimePoint> ours;  // role -> acquired_at of our own rows
  std::string our_figures;                 // what we published on them (kept by a renewal)
  for (const LockHolder& h : *current) {
    if (h.owner == request.owner) {
      ours[h.role] = h.acquired_at;
      our_figures = h.figures;
      continue;
    }
    if (!lock_conflicts(request, h)) continue;
    if (sqlite::to_ms(h.expires_at) > now) return LockOutcome{false, h};  // txn rolls back: nothing written
    // Expired and in our way: its holder stopped renewing it.
    auto del = state_.db->cached("DELETE FROM job_locks WHERE job_id = ?1 AND role = ?2 AND owner = ?3");
    if (!del) return std::unexpected(del.error());
    if (auto r = (*del)->bind(1, job.value).bind_text(2, h.role).bind_text(3, h.owner).run(); !r)
      return std::unexpected(r.error());
  }
  LockHolder me{request.owner, request.pid, request.host, from_ms(now), from_ms(now + request.ttl.count()),
                join(request.roles, "+")};
  me.shared = request.shared;
  me.renewed_at = from_ms(now);
  me.figures = our_figures;
  for (const std::string& role : roles) {
    const auto it = ours.find(role);
    const TimePoint acquired = it != ours.end() ? it->second : from_ms(now);
    if (it != ours.end() && role == roles.front()) me.acquired_at = acquired;
    // An upsert, not INSERT OR REPLACE: renewing our own lock keeps the
    // activity and figures we published. A row newly taken starts without
    // (the owner is part of the key: another owner's row was deleted above).
    auto st = state_.db->cached(
        "INSERT INTO job_locks(job_id, role, owner, shared, pid, host, acquired_at, expires_at, renewed_at) "
        "VALUES (?1, ?2, ?3, ?8, ?4, ?5, ?6, ?7, ?9) ON CONFLICT(job_id, role, owner) DO UPDATE SET "
        "shared = excluded.shared, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at, "
        "expires_at = excluded.expires_at, renewed_at = excluded.renewed_at");
    if (!st) return std::unexpected(st.error());
    (*st)->bind(1, job.value).bind_text(2, role).bind_text(3, me.owner).bind(4, me.pid).bind_text(5, me.host);
    (*st)->bind(6, sqlite::to_ms(acquired)).bind(7, sqlite::to_ms(me.expires_at)).bind(8, request.shared ? 1 : 0);
    (*st)->bind(9, now);
    if (auto r = (*st)->run(); !r) return std::unexpected(r.error());
  }
  if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  return LockOutcome{true, me};
}

Status SqliteLedger::release_job_lock(JobId job, std::string_view owner) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("DELETE FROM job_locks WHERE job_id = ?1 AND owner = ?2");
  if (!st) return std::unexpected(st.error());
  return (*st)->bind(1, job.value).bind_text(2, owner).run();
}

Result<std::vector<LockHolder>> SqliteLedger::job_lock_holders(JobId job) {
  std::lock_guard lock(db_mu_);
  return read_locks(*state_.db, job);
}

Result<bool> SqliteLedger::set_run_activity(JobId job, std::string_view owner, const RunActivity& activity) {
  if (activity.name.empty()) {
    return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition, "an activity needs a name");
  }
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "UPDATE job_locks SET activity = ?3, activity_since = ?4, activity_wanted_bytes = ?5, "
      "activity_next_scan_at = ?6, activity_detail = ?7, activity_retry_at = ?8 WHERE job_id = ?1 AND owner = ?2");
  if (!st) return std::unexpected(st.error());
  auto& u = **st;
  u.bind(1, job.value).bind_text(2, owner).bind_text(3, activity.name).bind(4, sqlite::to_ms(activity.since));
  if (activity.wanted_bytes)
    u.bind(5, static_cast<int64_t>(*activity.wanted_bytes));
  else
    u.bind_null(5);
  if (activity.next_scan_at)
    u.bind(6, sqlite::to_ms(*activity.next_scan_at));
  else
    u.bind_null(6);
  if (!activity.detail.empty())
    u.bind_text(7, activity.detail);
  else
    u.bind_null(7);
  if (activity.retry_at)
    u.bind(8, sqlite::to_ms(*activity.retry_at));
  else
    u.bind_null(8);
  if (auto r = u.run(); !r) return std::unexpected(r.error());
  return state_.db->changes() > 0;
}

Result<bool> SqliteLedger::set_run_figures(JobId job, std::string_view owner, std::string_view figures) {
  if (auto checked = check_run_figures(figures); !checked) return std::unexpected(checked.error());
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("UPDATE job_locks SET figures = ?3 WHERE job_id = ?1 AND owner = ?2");
  if (!st) return std::unexpected(st.error());
  if (auto r = (*st)->bind(1, job.value).bind_text(2, owner).bind_text(3, figures).run(); !r)
    return std::unexpected(r.error());
  return state_.db->changes() > 0;
}

Status SqliteLedger::break_job_lock(JobId job, std::string_view owner) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("DELETE FROM job_locks WHERE job_id = ?1 AND owner = ?2");
  if (!st) return std::unexpected(st.error());
  return (*st)->bind(1, job.value).bind_text(2, owner).run();
}

}  // namespace s5j::ledger
