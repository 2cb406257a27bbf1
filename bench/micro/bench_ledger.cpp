// Ledger throughput on a real file (fsync at every commit): transitions per
// second by batch size (group commit), listing upserts, claims.
// The database lives under $S5J_BENCH_DIR or the system temp directory;
// put it on the disk the ledger will use, since fsync cost dominates.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ledger/sqlite/sqlite_ledger.h"

namespace {

using namespace s5j::ledger;

std::string fresh_dir() {
  const char* base = std::getenv("S5J_BENCH_DIR");
  std::string tmpl = (base != nullptr ? std::string(base) : std::filesystem::temp_directory_path().string()) +
                     "/s5j-bench-ledger-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<SqliteLedger> ledger;
  JobId job;

  explicit Fixture(int objects) {
    dir = fresh_dir();
    SqliteLedgerOptions o;
    o.path = dir + "/ledger.db";
    o.auto_flush_at = 0;
    auto l = SqliteLedger::open(o);
    if (!l) return;
    ledger = std::move(*l);
    job = ledger->open_job("bench", JobMode::direct)->id;
    std::vector<ListedObject> listed;
    for (int i = 0; i < objects; ++i) {
      listed.push_back(ListedObject{"prefix/some/deeper/path/object-" + std::to_string(i), 1 << 20, "etag", {}});
    }
    (void)ledger->upsert_listed(job, listed);
  }
  ~Fixture() {
    ledger.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// Transitions committed per second when `batch` of them share one durable
// commit. Objects cycle pending -> copying -> pending so every transition is
// a real, legal state change.
void BM_LedgerTransitions(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  Fixture f(20'000);
  if (!f.ledger) {
    state.SkipWithError("cannot open ledger");
    return;
  }
  std::vector<ObjectRecord> recs = *f.ledger->list_objects(f.job, ListQuery{std::nullopt, 20'000, std::nullopt});
  size_t next = 0;
  uint64_t rejected = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < batch; ++i) {
      ObjectRecord& r = recs[next++ % recs.size()];
      const ObjectState to = r.state == ObjectState::pending ? ObjectState::copying : ObjectState::pending;
      (void)f.ledger->queue(Transition::of(r, to));
      r.state = to;
    }
    auto rep = f.ledger->flush();  // returns once durable
    if (!rep) {
      state.SkipWithError(rep.error().describe().c_str());
      return;
    }
    rejected += rep->rejected.size();
  }
  if (rejected != 0) state.SkipWithError("transitions were rejected");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
  state.counters["batch"] = static_cast<double>(batch);
}
BENCHMARK(BM_LedgerTransitions)->Arg(1)->Arg(64)->Arg(512)->Arg(4096)->UseRealTime()->Unit(benchmark::kMillisecond);

// Listing pages merged into the ledger (new keys), 1,000 per call.
void BM_LedgerUpsertNew(benchmark::State& state) {
  Fixture f(0);
  if (!f.ledger) {
    state.SkipWithError("cannot open ledger");
    return;
  }
  int64_t n = 0;
  std::vector<ListedObject> page(1000);
  for (auto _ : state) {
    for (auto& o : page) o = ListedObject{"k/" + std::to_string(n++), 4096, "etag", {}};
    (void)f.ledger->upsert_listed(f.job, page);
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_LedgerUpsertNew)->UseRealTime()->Unit(benchmark::kMillisecond);

// Claims of 100 records, then release, on a 20,000-object job.
void BM_LedgerClaimRelease(benchmark::State& state) {
  Fixture f(20'000);
  if (!f.ledger) {
    state.SkipWithError("cannot open ledger");
    return;
  }
  for (auto _ : state) {
    auto got = f.ledger->claim(ClaimRequest{f.job, 100, "bench", std::chrono::minutes(5), {ObjectState::pending}});
    std::vector<ObjectId> ids;
    for (const auto& r : *got) ids.push_back(r.id);
    (void)f.ledger->release(ids, "bench");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 100));
}
BENCHMARK(BM_LedgerClaimRelease)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
