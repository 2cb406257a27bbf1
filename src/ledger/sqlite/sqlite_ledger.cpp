// SqliteLedger: opening the file, and what every part shares (the clock,
// the job modes). The parts of the interface are implemented in
// sqlite_ledger_<part>.cpp (see sqlite_ledger.h).
#include "ledger/sqlite/sqlite_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/ledger_error.h"
#include "ledger/sqlite/sqlite_rows.h"
#include "ledger/sqlite/sqlite_schema.h"

namespace s5j::ledger {

using sqlite::Database;

namespace {

// A new file's directory entry must be durable too, or a power cut could
// lose the whole ledger although its first commit was reported done.
void sync_parent_directory(const std::string& path) {
  const auto dir = std::filesystem::absolute(path).parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

Result<std::string> pragma_text(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return *row ? st->get_text(0) : std::string();
}

}  // namespace

SqliteLedger::SqliteLedger(SqliteLedgerOptions options, std::unique_ptr<Database> db)
    : options_(std::move(options)) {
  state_.db = std::move(db);
}

SqliteLedger::~SqliteLedger() = default;

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open(SqliteLedgerOptions options) {
  if (options.path.empty()) {
    return ledger_error(ErrorKind::fatal, kLedgerError, "no ledger path given; set ledger.path in the job config");
  }
  if (options.clock == nullptr) options.clock = &SystemClock::instance();
  // Asked once: an attempt that created the file and then met BUSY leaves
  // it behind, and the retry must still make its directory entry durable.
  std::error_code ec;
  const bool existed = std::filesystem::exists(options.path, ec);
  const auto until = std::chrono::steady_clock::now() + options.busy_timeout;
  for (;;) {
    auto opened = open_once(options, existed);
    if (opened || opened.error().code != kLedgerBusy || std::chrono::steady_clock::now() >= until) return opened;
    // The other process's open takes milliseconds; a short pause, then again.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open_once(const SqliteLedgerOptions& options, bool existed) {
  auto opened = Database::open(options.path, options.create_if_missing, options.busy_timeout);
  if (!opened) return std::unexpected(opened.error());
  Database& db = **opened;

  // Order matters: the check is read-only, so another program's file is
  // refused before anything is written to it; journal_mode cannot change
  // inside a transaction, so WAL is set before migrating.
  if (auto st = sqlite::check_ledger_file(db); !st) return std::unexpected(st.error());
  auto mode = pragma_text(db, "PRAGMA journal_mode=WAL");
  if (!mode) return std::unexpected(mode.error());
  if (mode->size() != 3 || (*mode)[0] != 'w') {
    return ledger_error(ErrorKind::fatal, kLedgerError,
                        "ledger " + options.path + " cannot use write-ahead logging (journal mode '" + *mode +
                            "'); put the ledger on a local filesystem");
  }
  // FULL: in WAL mode the log is fsynced at every commit, so a commit that
  // returned survives power loss (NORMAL would only protect against crashes
  // of the process). foreign_keys guards the references between tables.
  if (auto st = db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"); !st) return std::unexpected(st.error());
  if (auto st = sqlite::migrate(db, options.schema_version); !st) return std::unexpected(st.error());
  if (!existed) sync_parent_directory(options.path);
  return std::unique_ptr<SqliteLedger>(new SqliteLedger(options, std::move(*opened)));
}

Result<std::string> SqliteLedger::pragma(std::string_view name) {
  std::lock_guard lock(db_mu_);
  return pragma_text(*state_.db, "PRAGMA " + std::string(name));
}

int64_t SqliteLedger::now_ms() const { return sqlite::to_ms(options_.clock->now()); }

// The mode of a job, cached: queue(), claim() and totals() need it and it
// never changes.
Result<JobMode> SqliteLedger::job_mode(JobId job) {
  {
    std::lock_guard modes(modes_mu_);
    if (auto it = job_modes_.find(job.value); it != job_modes_.end()) return it->second;
  }
  std::lock_guard lock(db_mu_);
  auto st = state_.db->cached("SELECT mode FROM jobs WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind(1, job.value);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    return ledger_error(ErrorKind::permanent, kLedgerNotFound,
                        "no job with id " + std::to_string(job.value) + " in " + options_.path);
  }
  const JobMode mode = parse_job_mode((*st)->get_text(0)).value_or(JobMode::direct);
  std::lock_guard modes(modes_mu_);
  job_modes_[job.value] = mode;
  return mode;
}

}  // namespace s5j::ledger
