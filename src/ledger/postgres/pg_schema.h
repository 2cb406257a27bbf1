// Schema of the PostgreSQL ledger and its numbered migrations.
//
// The database (its search_path's first schema) carries a schema_version
// table with one row per applied migration. Opening applies the missing
// migrations in one transaction under a transaction-level advisory lock
// (pg_advisory_xact_lock), so several hosts opening one new ledger at the
// same moment migrate it once; a ledger that a newer s5jtransfer wrote is
// refused with a LedgerError naming the fix. Internal to the backend.
#pragma once

#include <span>

#include "base/error.h"
#include "ledger/postgres/pg_connection.h"

namespace s5j::ledger::pg {

// The advisory lock key of migrations ("S5JL").
inline constexpr int64_t kMigrationLockKey = 0x53354A4C;

struct Migration {
  int version;  // 1, 2, 3... never reused, never edited once released
  const char* description;
  const char* sql;
};

std::span<const Migration> migrations();
int latest_schema_version();

// Applies the missing migrations; `location` names the ledger in messages.
Status migrate(Connection& c, const std::string& location);

}  // namespace s5j::ledger::pg
