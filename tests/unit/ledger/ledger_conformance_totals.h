// The Ledger conformance suite, ObjectCatalog part: the totals by size
// class (totals_by_size_class) are what grouping every record by state and
// size_class_of(size) says, after every kind of write, and totals() is
// their sum per state.
#pragma once

#include <map>
#include <utility>

#include "ledger/object_state.h"
#include "ledger/size_class.h"
#include "unit/ledger/ledger_conformance_catalog.h"
#include "unit/ledger/ledger_conformance_reopen.h"

namespace s5j::ledger::conformance {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

class SizeClassTotalsCheck {
 public:
  // Groups every (state, class) of the job's records by brute force, in
  // pipeline order of the job's states, then by class.
  static std::vector<SizeClassTotals> group_records(JobMode mode, const std::vector<ObjectRecord>& records) {
    std::map<std::pair<size_t, int>, SizeClassTotals> grouped;
    const auto states = states_of(mode);
    for (const ObjectRecord& r : records) {
      const size_t position = static_cast<size_t>(std::find(states.begin(), states.end(), r.state) - states.begin());
      const int c = size_class_of(r.size);
      SizeClassTotals& t = grouped[{position, c}];
      t.state = r.state;
      t.size_class = c;
      ++t.objects;
      t.bytes += r.size;
    }
    std::vector<SizeClassTotals> out;
    for (const auto& [key, t] : grouped) out.push_back(t);
    return out;
  }
};

TEST_P(ObjectCatalogConformance, TotalsBySizeClassEqualAGroupingOfTheRecordsAfterEveryKindOfWrite) {
  const JobId j = job();
  const JobId other = job(JobMode::direct, "other");
  auto apply = [&](const Transition& t) { EXPECT_TRUE(commit(t).rejected.empty()) << to_string(t.to); };
  auto agree = [&](const std::string& after) {
    SCOPED_TRACE(after);
    const auto by_class = ledger_->totals_by_size_class(j);
    ASSERT_TRUE(by_class.has_value()) << by_class.error().describe();
    EXPECT_EQ(*by_class, SizeClassTotalsCheck::group_records(JobMode::direct, all(j)));
    const auto totals = ledger_->totals(j);
    ASSERT_TRUE(totals.has_value()) << totals.error().describe();
    ASSERT_EQ(totals->size(), states_of(JobMode::direct).size());
    for (const StateTotals& t : *totals) {
      uint64_t objects = 0, bytes = 0;
      for (const SizeClassTotals& c : *by_class) {
        if (c.state != t.state) continue;
        objects += c.objects;
        bytes += c.bytes;
      }
      EXPECT_EQ(t.objects, objects) << to_string(t.state);
      EXPECT_EQ(t.bytes, bytes) << to_string(t.state);
    }
  };
  auto list = [&](JobId job_id, std::vector<ListedObject> objects) {
    auto r = ledger_->upsert_listed(job_id, objects);
    ASSERT_TRUE(r.has_value()) << r.error().describe();
  };
  agree("nothing listed");
  EXPECT_TRUE(ledger_->totals_by_size_class(j)->empty());

  // Sizes at and around every class bound, the largest past 4 GiB.
  list(j, {listed("a", 0), listed("b", 64 * 1024 - 1), listed("c", 64 * 1024), listed("d", kMiB - 1),
           listed("e", kMiB), listed("f", 16 * kMiB - 1), listed("g", 16 * kMiB), listed("h", 256 * kMiB - 1),
           listed("i", 256 * kMiB), listed("j", 5 * 1024 * kMiB), listed("k", 10), listed("l", 20)});
  list(other, {listed("a", 7), listed("b", 300 * kMiB)});
  agree("listing");
  // Every class holds something: the bounds fall where size_class_of says.
  EXPECT_EQ(ledger_->totals_by_size_class(j)->size(), static_cast<size_t>(kSizeClasses));

  // Changed at the source: across a class bound up and down, within one.
  list(j, {listed("a", 0), listed("b", 64 * 1024, "etag-2"), listed("c", 64 * 1024 - 1, "etag-2"),
           listed("k", 11, "etag-2")});
  agree("changed objects");

  for (const char* k : {"a", "b", "c", "d", "e", "f", "g"}) apply(Transition::of(get(j, k), ObjectState::copying));
  agree("copying");
  for (const char* k : {"a", "b", "c"}) {
    Transition t = Transition::of(get(j, k), ObjectState::verified);
    t.update.crc32c = 1;
    apply(t);
  }
  for (const char* k : {"d", "e"}) {
    Transition t = Transition::of(get(j, k), ObjectState::failed);
    t.update.error = "boom";
    apply(t);
  }
  apply(Transition::of(get(j, "f"), ObjectState::vanished));
  apply(Transition::of(get(j, "h"), ObjectState::vanished));
  apply(Transition::of(get(j, "g"), ObjectState::pending));
  agree("verified, failed, vanished, handed back");

  ASSERT_EQ(ledger_->requeue_failed(j).value_or(0), 2u);
  agree("failed requeued");

  const auto reopened = ledger_->reopen_verified(j, std::vector{reopen_request(get(j, "b"))});
  ASSERT_TRUE(reopened.has_value() && reopened->size() == 1u);
  agree("a verified object reopened");

  // Vanished ones listed again: the same, and with a size of another class.
  list(j, {listed("f", 16 * kMiB - 1), listed("h", 2 * kMiB, "etag-2")});
  agree("vanished objects revived");
  list(j, {listed("c", 300 * kMiB, "etag-3")});
  agree("a verified object changed at the source");

  ASSERT_TRUE(ledger_->reset_job(j).has_value());
  agree("reset");
  EXPECT_TRUE(ledger_->totals_by_size_class(j)->empty());
  const std::vector<SizeClassTotals> untouched{{ObjectState::pending, 0, 1, 7},
                                               {ObjectState::pending, 4, 1, 300 * kMiB}};
  EXPECT_EQ(*ledger_->totals_by_size_class(other), untouched);
  list(j, {listed("a", 3 * kMiB)});
  agree("listed again after the reset");
}

// A staged job's pipeline has more states; the order follows it.
TEST_P(ObjectCatalogConformance, TotalsBySizeClassFollowTheStagedPipeline) {
  const JobId j = job(JobMode::staged);
  auto apply = [&](const Transition& t) { EXPECT_TRUE(commit(t).rejected.empty()) << to_string(t.to); };
  add(j, {"s"}, 2 * kMiB);
  add(j, {"p"}, 10);
  add(j, {"q"}, 300 * kMiB);
  apply(Transition::of(get(j, "s"), ObjectState::staging));
  Transition staged = Transition::of(get(j, "s"), ObjectState::staged);
  staged.update.staged = StagedCopy{"v", "/v/s", 2 * kMiB, std::nullopt, 42};
  apply(staged);
  apply(Transition::of(get(j, "q"), ObjectState::staging));
  const std::vector<SizeClassTotals> expected{{ObjectState::pending, 0, 1, 10},
                                              {ObjectState::staging, 4, 1, 300 * kMiB},
                                              {ObjectState::staged, 2, 1, 2 * kMiB}};
  EXPECT_EQ(*ledger_->totals_by_size_class(j), expected);
  EXPECT_EQ(*ledger_->totals_by_size_class(j), SizeClassTotalsCheck::group_records(JobMode::staged, all(j)));
}

}  // namespace s5j::ledger::conformance
