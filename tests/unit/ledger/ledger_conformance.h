// The Ledger conformance suite: the contract of every backend, written
// against the interface only. This header holds what all its tests share:
// the backend description, the fixture and helpers. The tests come in one
// group per part of the interface, each its own test suite:
//
//   JobControlConformance       ledger_conformance_jobs.h
//   ObjectCatalogConformance    ledger_conformance_catalog.h, _reopen.h,
//                               _totals.h
//   ObjectClaimsConformance     ledger_conformance_claims.h
//   TransitionQueueConformance  ledger_conformance_transitions.h, _uploads.h,
//                               _attempts.h
//   ListingRangesConformance    ledger_conformance_listing.h
//
// A backend's test file includes ledger_conformance_all.h and instantiates
// every part with its LedgerBackend (see sqlite_conformance_test.cpp); a
// part it leaves out fails the binary (GoogleTestVerification).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/ledger_error.h"
#include "unit/ledger/fake_clock.h"

namespace s5j::ledger::conformance {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct LedgerBackend {
  std::string name;
  // A new, empty store; returns its location.
  std::function<std::string()> new_store;
  // Opens (another instance on) the store at `location`.
  std::function<Result<std::unique_ptr<Ledger>>(const std::string& location, const Clock& clock)> open;
  // What Ledger::cooperative() answers on this backend.
  bool cooperative = false;
};

// Prints the backend's name in test names and failure messages.
inline void PrintTo(const LedgerBackend& b, std::ostream* os) { *os << b.name; }

inline std::string backend_name(const ::testing::TestParamInfo<LedgerBackend>& info) { return info.param.name; }

// The fixture of every part's suite (each derives a class of its own, so
// test names say which part they hold to): a fresh store per test.
class LedgerConformance : public ::testing::TestWithParam<LedgerBackend> {
 protected:
  void SetUp() override {
    location_ = GetParam().new_store();
    ledger_ = open_instance();
    ASSERT_NE(ledger_, nullptr);
  }

  std::unique_ptr<Ledger> open_instance() {
    auto l = GetParam().open(location_, clock_);
    EXPECT_TRUE(l.has_value()) << (l ? "" : l.error().describe());
    return l ? std::move(*l) : nullptr;
  }

  JobId job(JobMode mode = JobMode::direct, const std::string& name = "job") {
    auto j = ledger_->open_job(name, mode);
    EXPECT_TRUE(j.has_value()) << (j ? "" : j.error().describe());
    return j ? j->id : JobId{};
  }

  static ListedObject listed(std::string key, uint64_t size = 100, std::string etag = "etag-1") {
    return ListedObject{std::move(key), size, std::move(etag), std::nullopt};
  }

  void add(JobId j, const std::vector<std::string>& keys, uint64_t size = 100) {
    std::vector<ListedObject> v;
    for (const auto& k : keys) v.push_back(listed(k, size));
    ASSERT_TRUE(ledger_->upsert_listed(j, v).has_value());
  }

  ObjectRecord get(JobId j, const std::string& key) {
    auto r = ledger_->find_object(j, key);
    EXPECT_TRUE(r.has_value() && r->has_value()) << "no record for key";
    return (r && *r) ? **r : ObjectRecord{};
  }

  std::vector<ObjectRecord> all(JobId j) {
    std::vector<ObjectRecord> out;
    auto st = for_each_object(*ledger_, j, [&](const ObjectRecord& r) -> Status {
      out.push_back(r);
      return {};
    }, 3);
    EXPECT_TRUE(st.has_value());
    return out;
  }

  // Queues one transition and flushes; returns the flush report.
  FlushReport commit(const Transition& t) {
    auto q = ledger_->queue(t);
    EXPECT_TRUE(q.has_value()) << (q ? "" : q.error().describe());
    auto f = ledger_->flush();
    EXPECT_TRUE(f.has_value()) << (f ? "" : f.error().describe());
    return f ? *f : FlushReport{};
  }

  static Md5Bytes md5(unsigned char fill) {
    Md5Bytes m{};
    m.fill(fill);
    return m;
  }

  // pending -> copying -> verified with checksums, as a direct worker does.
  void verify_direct(JobId j, const std::string& key) {
    auto r = get(j, key);
    EXPECT_TRUE(commit(Transition::of(r, ObjectState::copying)).rejected.empty());
    Transition t = Transition::of(get(j, key), ObjectState::verified);
    t.update.md5 = md5(0xAB);
    t.update.crc32c = 0x1234;
    t.update.dest_etag = "dest-etag";
    EXPECT_TRUE(commit(t).rejected.empty());
  }

  testing::FakeClock clock_;
  std::string location_;
  std::unique_ptr<Ledger> ledger_;
};

inline std::vector<ObjectId> ids_of(const std::vector<ObjectRecord>& v) {
  std::vector<ObjectId> out;
  for (const auto& r : v) out.push_back(r.id);
  return out;
}

}  // namespace s5j::ledger::conformance
