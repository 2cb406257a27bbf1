// Runs the Ledger conformance suite, every part, against the SQLite backend.
#include "ledger/sqlite/sqlite_ledger.h"
#include "support/test_env.h"
#include "unit/ledger/ledger_conformance_all.h"

namespace s5j::ledger::conformance {
namespace {

LedgerBackend sqlite_backend() {
  LedgerBackend b;
  b.name = "Sqlite";
  b.new_store = [] { return s5j::testing::make_temp_dir("ledger-conf") + "/ledger.db"; };
  b.open = [](const std::string& location, const Clock& clock) -> Result<std::unique_ptr<Ledger>> {
    SqliteLedgerOptions o;
    o.path = location;
    o.clock = &clock;
    auto l = SqliteLedger::open(o);
    if (!l) return std::unexpected(l.error());
    return std::unique_ptr<Ledger>(std::move(*l));
  };
  return b;
}

// One line per part of the interface (ledger/ledger.h).
INSTANTIATE_TEST_SUITE_P(Backends, JobControlConformance, ::testing::Values(sqlite_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ObjectCatalogConformance, ::testing::Values(sqlite_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ObjectClaimsConformance, ::testing::Values(sqlite_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, TransitionQueueConformance, ::testing::Values(sqlite_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ListingRangesConformance, ::testing::Values(sqlite_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, StagedHostsConformance, ::testing::Values(sqlite_backend()), backend_name);

}  // namespace
}  // namespace s5j::ledger::conformance
