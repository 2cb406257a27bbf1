// PostgresLedger, the JobControl part: jobs and run history (the job lock
// is in postgres_ledger_locks.cpp).
#include <string>

#include "ledger/ledger_error.h"
#include "ledger/postgres/pg_rows.h"
#include "ledger/postgres/postgres_ledger.h"

namespace s5j::ledger {

using pg::from_ms;
using pg::Params;

namespace {

JobRecord read_job(const pg::Rows& rows, int i) {
  JobRecord j;
  j.id = JobId{rows.i64(i, 0)};
  j.name = rows.text(i, 1);
  j.mode = parse_job_mode(rows.text(i, 2)).value_or(JobMode::direct);
  j.created_at = from_ms(rows.i64(i, 3));
  return j;
}

}  // namespace

// ---- Jobs ----

Result<JobRecord> PostgresLedger::open_job(std::string_view name, JobMode mode) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  // Two hosts opening a new job at once: one inserts, both read the row.
  auto ins = (*c)->exec(
      "INSERT INTO jobs(name, mode, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
      Params().text(name).text(to_string(mode)).i64(now_ms()));
  if (!ins) return std::unexpected(ins.error());
  auto r = (*c)->exec("SELECT id, name, mode, created_at FROM jobs WHERE name = $1", Params().text(name));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) return ledger_error(ErrorKind::fatal, kLedgerError, "job '" + std::string(name) + "' vanished");
  JobRecord job = read_job(*r, 0);
  if (job.mode != mode) {
    return ledger_error(ErrorKind::permanent, kLedgerConflict,
                        "job '" + std::string(name) + "' in " + location_ + " is a " +
                            std::string(to_string(job.mode)) + " job, not " + std::string(to_string(mode)) +
                            "; use another job name or reset it");
  }
  std::lock_guard modes(modes_mu_);
  job_modes_[job.id.value] = job.mode;
  return job;
}

Result<std::optional<JobRecord>> PostgresLedger::find_job(std::string_view name) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("SELECT id, name, mode, created_at FROM jobs WHERE name = $1", Params().text(name));
  if (!r) return std::unexpected(r.error());
  if (r->size() == 0) return std::optional<JobRecord>();
  return std::optional<JobRecord>(read_job(*r, 0));
}

Status PostgresLedger::reset_job(JobId job) {
  std::lock_guard lock(db_mu_);
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto txn = pg::Transaction::begin(**c);
  if (!txn) return std::unexpected(txn.error());
  const std::string id = std::to_string(job.value);
  const std::string now = std::to_string(now_ms());
  // Uploads outlive their object rows: whatever is still open at the
  // destination stays listed (abandoned) until someone aborts it.
  const std::string sql =
      "UPDATE uploads SET status = 'abandoned', updated_at = " + now + " WHERE job_id = " + id +
      " AND status = 'active';"
      "UPDATE uploads SET object_id = NULL WHERE job_id = " + id + ";"
      "DELETE FROM parts WHERE upload_ref IN (SELECT id FROM uploads WHERE job_id = " + id +
      " AND status IN ('completed', 'aborted'));"
      "DELETE FROM objects WHERE job_id = " + id + ";"
      "DELETE FROM object_totals WHERE job_id = " + id + ";"
      "DELETE FROM listing_ranges WHERE listing_id IN (SELECT id FROM listings WHERE job_id = " + id + ");"
      "DELETE FROM listings WHERE job_id = " + id + ";";
  if (auto st = (*c)->script(sql); !st) return st;
  return txn->commit();
}

// ---- Runs ----

Result<RunId> PostgresLedger::begin_run(JobId job, const RunStart& start) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec(
      "INSERT INTO runs(job_id, pid, host, command, version, started_at) VALUES ($1, $2, $3, $4, $5, $6) "
      "RETURNING id",
      Params().i64(job.value).i64(start.pid).text(start.host).text(start.command).text(start.version).i64(now_ms()));
  if (!r) return std::unexpected(r.error());
  return RunId{r->i64(0, 0)};
}

Status PostgresLedger::end_run(RunId run, std::string_view outcome, int exit_code) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec("UPDATE runs SET ended_at = $2, outcome = $3, exit_code = $4 WHERE id = $1",
                      Params().i64(run.value).i64(now_ms()).text(outcome).i64(exit_code));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound, "no run " + std::to_string(run.value));
  }
  return {};
}

Result<std::vector<RunRecord>> PostgresLedger::runs(JobId job, size_t limit) {
  std::lock_guard lock(db_mu_);
  auto c = conn_locked();
  if (!c) return std::unexpected(c.error());
  auto r = (*c)->exec(
      "SELECT id, job_id, pid, host, command, version, started_at, ended_at, outcome, exit_code FROM runs "
      "WHERE job_id = $1 ORDER BY id DESC LIMIT $2",
      Params().i64(job.value).i64(static_cast<int64_t>(limit)));
  if (!r) return std::unexpected(r.error());
  std::vector<RunRecord> out;
  for (int i = 0; i < r->size(); ++i) {
    RunRecord rr;
    rr.id = RunId{r->i64(i, 0)};
    rr.job = JobId{r->i64(i, 1)};
    rr.start = RunStart{r->i64(i, 2), r->text(i, 3), r->text(i, 4), r->text(i, 5)};
    rr.started_at = from_ms(r->i64(i, 6));
    if (!r->is_null(i, 7)) rr.ended_at = from_ms(r->i64(i, 7));
    rr.outcome = r->text(i, 8);
    if (!r->is_null(i, 9)) rr.exit_code = static_cast<int>(r->i64(i, 9));
    out.push_back(std::move(rr));
  }
  return out;
}

}  // namespace s5j::ledger
