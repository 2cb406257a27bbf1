// PostgresLedger, the JobControl part: the job lock, whole job or per role,
// exclusive or shared (lock_rules.h), and the activity and figures its
// holders publish on it. An acquisition locks the job's row first, so
// acquisitions of one job (from any host) take turns.
#include <map>
#include <string>
#include <vector>

#include "base/strings.h"
#include "ledger/ledger_error.h"
#include "ledger/lock_rules.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::from_ms;
using pg::Params;
using pg::to_ms;

namespace {

// Every lock row of the job, ordered by role ('' = the whole job, first).
Result<std::vector<LockHolder>> read_locks(pg::Connection& c, JobId job) {
  auto r = c.exec(
      "SELECT owner, pid, host, acquired_at, expires_at, role, activity, activity_since, activity_wanted_bytes, "
      "activity_next_scan_at, activity_detail, activity_retry_at, shared, renewed_at, figures FROM job_locks "
      "WHERE job_id = $1 "
      "ORDER BY role, acquired_at, owner",
      Params().i64(job.value));
  if (!r) return std::unexpected(r.error());
  std::vector<LockHolder> out;
  for (int i = 0; i < r->size(); ++i) {
    LockHolder h{r->text(i, 0), r->i64(i, 1), r->text(i, 2), from_ms(r->i64(i, 3)), from_ms(r->i64(i, 4)),
                 r->text(i, 5)};
    if (!r->is_null(i, 6)) {
      RunActivity a{r->text(i, 6), from_ms(r->i64(i, 7))};
      if (!r->is_null(i, 8)) a.wanted_bytes = static_cast<uint64_t>(r->i64(i, 8));
      if (!r->is_null(i, 9)) a.next_scan_at = from_ms(r->i64(i, 9));
      if (!r->is_null(i, 10)) a.detail = r->text(i, 10);
      if (!r->is_null(i, 11)) a.retry_at = from_ms(r->i64(i, 11));
      h.activity = std::move(a);
    }
    h.shared = r->boolean(i, 12);
    h.renewed_at = from_ms(r->i64(i, 13));
    if (!r->is_null(i, 14)) h.figures = r->text(i, 14);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace

Result<LockOutcome> PostgresLedger::acquire_job_lock(JobId job, const LockRequest& request) {
  if (auto checked = check_lock_request(request); !checked) return std::unexpected(checked.error());
  const std::vector<std::string> roles = lock_rows_of(request);
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  auto job_row = (*c)->exec("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", Params().i64(job.value));
  if (!job_row) return std::unexpected(job_row.error());
  if (job_row->size() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound, "no job with id " + std::to_string(job.value));
  }
  auto current = read_locks(**c, job);
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
    if (to_ms(h.expires_at) > now) return LockOutcome{false, h};  // txn rolls back: nothing written
    // Expired and in our way: its holder stopped renewing it.
    auto del = (*c)->exec("DELETE FROM job_locks WHERE job_id = $1 AND role = $2 AND owner = $3",
                          Params().i64(job.value).text(h.role).text(h.owner));
    if (!del) return std::unexpected(del.error());
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
    // Renewing our own lock keeps the activity and figures we published. A
    // row newly taken starts without (the owner is part of the key:
    // another owner's row was deleted above).
    auto up = (*c)->exec(
        "INSERT INTO job_locks(job_id, role, owner, shared, pid, host, acquired_at, expires_at, renewed_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job_id, role, owner) DO UPDATE SET "
        "shared = excluded.shared, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at, "
        "expires_at = excluded.expires_at, renewed_at = excluded.renewed_at",
        Params()
            .i64(job.value)
            .text(role)
            .text(me.owner)
            .boolean(request.shared)
            .i64(me.pid)
            .text(me.host)
            .i64(to_ms(acquired))
            .i64(to_ms(me.expires_at))
            .i64(now));
    if (!up) return std::unexpected(up.error());
  }
  if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  return LockOutcome{true, me};
}

Status PostgresLedger::release_job_lock(JobId job, std::string_view owner) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("DELETE FROM job_locks WHERE job_id = $1 AND owner = $2", Params().i64(job.value).text(owner));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<std::vector<LockHolder>> PostgresLedger::job_lock_holders(JobId job) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  return read_locks(**c, job);
}

Result<bool> PostgresLedger::set_run_activity(JobId job, std::string_view owner, const RunActivity& activity) {
  if (activity.name.empty()) {
    return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition, "an activity needs a name");
  }
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto opt_time = [](const std::optional<TimePoint>& t) -> std::optional<int64_t> {
    if (!t) return std::nullopt;
    return to_ms(*t);
  };
  std::optional<int64_t> wanted;
  if (activity.wanted_bytes) wanted = static_cast<int64_t>(*activity.wanted_bytes);
  std::optional<std::string> detail;
  if (!activity.detail.empty()) detail = activity.detail;
  auto r = (*c)->exec(
      "UPDATE job_locks SET activity = $3, activity_since = $4, activity_wanted_bytes = $5, "
      "activity_next_scan_at = $6, activity_detail = $7, activity_retry_at = $8 WHERE job_id = $1 AND owner = $2",
      Params()
          .i64(job.value)
          .text(owner)
          .text(activity.name)
          .i64(to_ms(activity.since))
          .opt_i64(wanted)
          .opt_i64(opt_time(activity.next_scan_at))
          .opt_text(detail)
          .opt_i64(opt_time(activity.retry_at)));
  if (!r) return std::unexpected(r.error());
  return r->affected() > 0;
}

Result<bool> PostgresLedger::set_run_figures(JobId job, std::string_view owner, std::string_view figures) {
  if (auto checked = check_run_figures(figures); !checked) return std::unexpected(checked.error());
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("UPDATE job_locks SET figures = $3 WHERE job_id = $1 AND owner = $2",
                      Params().i64(job.value).text(owner).text(figures));
  if (!r) return std::unexpected(r.error());
  return r->affected() > 0;
}

Status PostgresLedger::break_job_lock(JobId job, std::string_view owner) {
  return release_job_lock(job, owner);
}

}  // namespace s5j::ledger
