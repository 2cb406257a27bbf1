// SqliteLedger, the JobControl part: jobs and run history (the job lock is
// in sqlite_ledger_locks.cpp).
#include <string>

#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "ledger/sqlite/sqlite_rows.h"

namespace s5j::ledger {

using sqlite::from_ms;
using sqlite::WriteTransaction;

namespace {

JobRecord read_job(const sqlite::Statement& st) {
  JobRecord j;
  j.id = JobId{st.get_int(0)};
  j.name = st.get_text(1);
  j.mode = parse_job_mode(st.get_text(2)).value_or(JobMode::direct);
  j.created_at = from_ms(st.get_int(3));
  return j;
}

}  // namespace

// ---- Jobs ----

Result<std::optional<JobRecord>> SqliteLedger::find_job_locked(std::string_view name) {
  auto st = state_.db->cached("SELECT id, name, mode, created_at FROM jobs WHERE name = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, name);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<JobRecord>();
  return std::optional<JobRecord>(read_job(**st));
}

Result<JobRecord> SqliteLedger::open_job(std::string_view name, JobMode mode) {
  std::lock_guard lock(db_mu_);
  auto txn = WriteTransaction::begin(*state_.db);
  if (!txn) return std::unexpected(txn.error());
  auto found = find_job_locked(name);
  if (!found) return std::unexpected(found.error());
  JobRecord job;
  if (*found) {
    job = **found;
    if (job.mode != mode) {
      return ledger_error(ErrorKind::permanent, kLedgerConflict,
                          "job '" + std::string(name) + "' in " + options_.path + " is a " +
                              std::string(to_string(job.mode)) + " job, not " + std::string(to_string(mode)) +
                              "; use another job name or reset it");
    }
  } else {
    auto ins = state_.db->cached("INSERT INTO jobs(name, mode, created_at) VALUES (?1, ?2, ?3)");
    if (!ins) return std::unexpected(ins.error());
    const int64_t now = now_ms();
    if (auto st = (*ins)->bind_text(1, name).bind_text(2, to_string(mode)).bind(3, now).run(); !st) {
      return std::unexpected(st.error());
    }
    job = JobRecord{JobId{state_.db->last_insert_rowid()}, std::string(name), mode, from_ms(now)};
  }
  if (auto st = txn->commit(); !st) return std::unexpected(st.error());
  std::lock_guard modes(modes_mu_);
  job_modes_[job.id.value] = job.mode;
  return job;
}

Result<std::optional<JobRecord>> SqliteLedger::find_job(std::string_view name) {
  std::lock_guard lock(db_mu_);
  return find_job_locked(name);
}

Status SqliteLedger::reset_job(JobId job) {
  std::lock_guard lock(db_mu_);
  if (auto r = flush_locked(false); !r) return std::unexpected(r.error());
  auto txn = WriteTransaction::begin(*state_.db);
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
  if (auto st = state_.db->exec(sql); !st) return st;
  return txn->commit();
}

// ---- Runs ----

Result<RunId> SqliteLedger::begin_run(JobId job, const RunStart& start) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "INSERT INTO runs(job_id, pid, host, command, version, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value).bind(2, start.pid).bind_text(3, start.host).bind_text(4, start.command);
  (*st)->bind_text(5, start.version).bind(6, now_ms());
  if (auto r = (*st)->run(); !r) return std::unexpected(r.error());
  return RunId{state_.db->last_insert_rowid()};
}

Status SqliteLedger::end_run(RunId run, std::string_view outcome, int exit_code) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("UPDATE runs SET ended_at = ?2, outcome = ?3, exit_code = ?4 WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  if (auto r = (*st)->bind(1, run.value).bind(2, now_ms()).bind_text(3, outcome).bind(4, exit_code).run(); !r) {
    return r;
  }
  if (state_.db->changes() == 0) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound, "no run " + std::to_string(run.value));
  }
  return {};
}

Result<std::vector<RunRecord>> SqliteLedger::runs(JobId job, size_t limit) {
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached(
      "SELECT id, job_id, pid, host, command, version, started_at, ended_at, outcome, exit_code FROM runs "
      "WHERE job_id = ?1 ORDER BY id DESC LIMIT ?2");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value).bind(2, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    const auto& s = **st;
    RunRecord r;
    r.id = RunId{s.get_int(0)};
    r.job = JobId{s.get_int(1)};
    r.start = RunStart{s.get_int(2), s.get_text(3), s.get_text(4), s.get_text(5)};
    r.started_at = from_ms(s.get_int(6));
    if (!s.is_null(7)) r.ended_at = from_ms(s.get_int(7));
    r.outcome = s.get_text(8);
    if (!s.is_null(9)) r.exit_code = static_cast<int>(s.get_int(9));
    out.push_back(std::move(r));
  }
}

}  // namespace s5j::ledger
