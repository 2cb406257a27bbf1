#include "ledger/open_ledger.h"

#include "ledger/ledger_error.h"
#include "ledger/postgres/postgres_ledger.h"
#include "ledger/sqlite/sqlite_ledger.h"

namespace s5j::ledger {

Result<std::unique_ptr<Ledger>> open_ledger(const LedgerOptions& options) {
  const std::string& loc = options.location;
  if (loc.starts_with("postgresql://") || loc.starts_with("postgres://")) {
    PostgresLedgerOptions o;
    o.url = loc;
    o.clock = options.clock;
    auto l = PostgresLedger::open(std::move(o));
    if (!l) return std::unexpected(l.error());
    return std::unique_ptr<Ledger>(std::move(*l));
  }
  SqliteLedgerOptions o;
  o.path = loc.starts_with("sqlite:") ? loc.substr(7) : loc;
  o.clock = options.clock;
  o.create_if_missing = options.create_if_missing;
  o.busy_timeout = options.busy_timeout;
  auto l = SqliteLedger::open(std::move(o));
  if (!l) return std::unexpected(l.error());
  return std::unique_ptr<Ledger>(std::move(*l));
}

std::string backend_library_versions() {
  return "SQLite " + sqlite::library_version() + ", libpq " + libpq_version();
}

}  // namespace s5j::ledger
