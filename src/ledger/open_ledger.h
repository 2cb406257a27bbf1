// open_ledger: picks the backend from the location and opens it.
//
//   /path/to/file.db or sqlite:/path/to/file.db  -> SqliteLedger
//   postgresql://... or postgres://...           -> PostgresLedger (the URL
//                                                   goes to libpq as is)
//
// The caller owns the returned ledger. Failure as the backend's open().
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "ledger/ledger.h"

namespace s5j::ledger {

struct LedgerOptions {
  std::string location;
  const Clock* clock = &SystemClock::instance();  // not owned
  bool create_if_missing = true;
  std::chrono::milliseconds busy_timeout{30'000};
};

Result<std::unique_ptr<Ledger>> open_ledger(const LedgerOptions& options);

// The backends' libraries as linked ("SQLite 3.40.1, libpq 15.18"), for
// `s5j --version`.
std::string backend_library_versions();

}  // namespace s5j::ledger
