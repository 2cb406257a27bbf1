// Runs the Ledger conformance suite, every part, against the PostgreSQL
// backend on the server of ctest fixture "postgres", each test on a fresh
// schema.
#include <gtest/gtest.h>

#include "unit/ledger/ledger_conformance_all.h"
#include "unit/ledger/postgres_store.h"

namespace s5j::ledger::conformance {
namespace {

LedgerBackend postgres_backend() {
  LedgerBackend b;
  b.name = "Postgres";
  b.new_store = [] { return pgtest::fresh_postgres_store(); };
  b.open = [](const std::string& location, const Clock& clock) -> Result<std::unique_ptr<Ledger>> {
    auto l = pgtest::open_postgres(location, clock);
    if (!l) return std::unexpected(l.error());
    return std::unique_ptr<Ledger>(std::move(*l));
  };
  b.cooperative = true;
  return b;
}

// One line per part of the interface (ledger/ledger.h).
INSTANTIATE_TEST_SUITE_P(Backends, JobControlConformance, ::testing::Values(postgres_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ObjectCatalogConformance, ::testing::Values(postgres_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ObjectClaimsConformance, ::testing::Values(postgres_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, TransitionQueueConformance, ::testing::Values(postgres_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ListingRangesConformance, ::testing::Values(postgres_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, StagedHostsConformance, ::testing::Values(postgres_backend()), backend_name);

}  // namespace
}  // namespace s5j::ledger::conformance
