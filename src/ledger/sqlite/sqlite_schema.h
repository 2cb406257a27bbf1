// Schema of the SQLite ledger and its numbered migrations.
//
// A ledger file carries PRAGMA application_id = kApplicationId and a
// schema_version table with one row per applied migration. Opening a file
// checks both and applies the missing migrations in one transaction; a
// file that is not a ledger, or that a newer s5jtransfer wrote, is refused
// with a "LedgerError" naming the file and the fix. Internal to the backend.
#pragma once

#include <cstdint>
#include <span>

#include "base/error.h"
#include "ledger/sqlite/sqlite_db.h"

namespace s5j::ledger::sqlite {

inline constexpr int32_t kApplicationId = 0x53354A4C;  // "S5JL"

struct Migration {
  int version;              // 1, 2, 3... never reused, never edited once released
  const char* description;
  const char* sql;                   // run first, when set
  Status (*apply)(Database&) = nullptr;  // then this, for what SQL alone cannot do
};

std::span<const Migration> migrations();
int latest_schema_version();

// Version recorded in the file; 0 for an empty (new) database.
Result<int> read_schema_version(Database& db);

// Read-only check, before anything is written to the file: refuses a file
// that is no SQLite database, another program's database, or a ledger of a
// newer schema than this build knows. An empty database passes.
Status check_ledger_file(Database& db);

// Applies the missing migrations up to `target_version` (latest when 0) in
// one transaction. Safe when several processes open the same new file at
// once: the version is re-read under the write lock.
Status migrate(Database& db, int target_version);

}  // namespace s5j::ledger::sqlite
