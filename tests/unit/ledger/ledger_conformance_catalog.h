// The Ledger conformance suite, ObjectCatalog part (ledger/object_catalog.h):
// planning, reads and paging, requeueing failed records, totals and recent
// errors, export. reopen_verified has its own file of this suite,
// ledger_conformance_reopen.h.
#pragma once

#include "unit/ledger/ledger_conformance.h"

namespace s5j::ledger::conformance {

class ObjectCatalogConformance : public LedgerConformance {};

// ---- Planning and reads ----

TEST_P(ObjectCatalogConformance, UpsertInsertsPendingRecordsWithListingFields) {
  const JobId j = job();
  ListedObject o = listed("dir/file.bin", 12345, "\"abc\"");
  o.last_modified = clock_.now() - std::chrono::hours(1);
  auto stats = ledger_->upsert_listed(j, std::vector{o});
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->inserted, 1u);
  const ObjectRecord r = get(j, "dir/file.bin");
  EXPECT_EQ(r.job, j);
  EXPECT_EQ(r.size, 12345u);
  EXPECT_EQ(r.source_etag, "\"abc\"");
  EXPECT_EQ(r.source_last_modified, o.last_modified);
  EXPECT_EQ(r.state, ObjectState::pending);
  EXPECT_EQ(r.attempts, 0u);
  EXPECT_FALSE(r.md5.has_value());
  EXPECT_TRUE(r.lease_owner.empty());
}

TEST_P(ObjectCatalogConformance, KeysAreBytesAndOrderBytewise) {
  const JobId j = job();
  std::vector<std::string> keys{"b", "a", std::string("a\0b", 3), "a\x01", "line\nbreak\r", "\x7f", "\xc3\xa9t\xc3\xa9",
                                "\xff\xfe", "B", " ", "a/b", "a-b", std::string(1024, 'z')};
  add(j, keys);
  std::sort(keys.begin(), keys.end());  // std::string compares bytes as unsigned, like memcmp
  std::vector<std::string> got;
  for (const auto& r : all(j)) got.push_back(r.key);
  EXPECT_EQ(got, keys);
  EXPECT_EQ(get(j, std::string("a\0b", 3)).key, std::string("a\0b", 3));
}

TEST_P(ObjectCatalogConformance, PagesResumeAfterAKeyAndFilterByState) {
  const JobId j = job();
  add(j, {"k1", "k2", "k3", "k4", "k5"});
  ListQuery q;
  q.after_key = "k2";
  q.limit = 2;
  auto page = ledger_->list_objects(j, q);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].key, "k3");
  EXPECT_EQ((*page)[1].key, "k4");
  q.after_key = "k0";  // a key that is not in the ledger
  q.limit = 1;
  EXPECT_EQ(ledger_->list_objects(j, q)->front().key, "k1");

  verify_direct(j, "k4");
  ListQuery only;
  only.state = ObjectState::verified;
  auto verified = ledger_->list_objects(j, only);
  ASSERT_EQ(verified->size(), 1u);
  EXPECT_EQ(verified->front().key, "k4");
  only.state = ObjectState::pending;
  only.after_key = "k3";
  auto pending = ledger_->list_objects(j, only);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().key, "k5");
}

TEST_P(ObjectCatalogConformance, UpsertLeavesVerifiedUnchangedObjectsAlone) {
  const JobId j = job();
  add(j, {"same", "grows", "retagged"});
  for (const char* k : {"same", "grows", "retagged"}) verify_direct(j, k);
  const std::vector<ListedObject> relisted{listed("same"), listed("grows", 200), listed("retagged", 100, "etag-2"),
                                           listed("new")};
  auto stats = ledger_->upsert_listed(j, relisted);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->unchanged, 1u);
  EXPECT_EQ(stats->changed, 2u);
  EXPECT_EQ(stats->inserted, 1u);
  const ObjectRecord same = get(j, "same");
  EXPECT_EQ(same.state, ObjectState::verified);
  EXPECT_EQ(same.md5, md5(0xAB));
  EXPECT_EQ(same.dest_etag, "dest-etag");
  for (const char* k : {"grows", "retagged"}) {
    const ObjectRecord r = get(j, k);
    EXPECT_EQ(r.state, ObjectState::pending) << k;
    EXPECT_FALSE(r.md5.has_value()) << k;
    EXPECT_FALSE(r.crc32c.has_value()) << k;
    EXPECT_TRUE(r.dest_etag.empty()) << k;
    EXPECT_EQ(r.attempts, 0u) << k;
  }
  EXPECT_EQ(get(j, "grows").size, 200u);
  EXPECT_EQ(get(j, "retagged").source_etag, "etag-2");
}

TEST_P(ObjectCatalogConformance, VanishedObjectListedAgainIsPendingAgain) {
  const JobId j = job();
  add(j, {"gone"});
  EXPECT_TRUE(commit(Transition::of(get(j, "gone"), ObjectState::vanished)).rejected.empty());
  auto stats = ledger_->upsert_listed(j, std::vector{listed("gone")});
  EXPECT_EQ(stats->revived, 1u);
  EXPECT_EQ(get(j, "gone").state, ObjectState::pending);
}

TEST_P(ObjectCatalogConformance, UpsertRecordsObjectsFoundAtTheDestinationVerified) {
  const JobId j = job();
  add(j, {"pending", "verified", "copying", "grows", "gone"});
  verify_direct(j, "verified");
  EXPECT_TRUE(commit(Transition::of(get(j, "gone"), ObjectState::vanished)).rejected.empty());
  ASSERT_TRUE(commit(Transition::of(get(j, "copying"), ObjectState::copying)).rejected.empty());
  std::vector<ListedObject> page;
  for (auto o : {listed("copying"), listed("gone"), listed("grows", 200), listed("new"), listed("new-not-there"),
                 listed("pending"), listed("verified")}) {
    o.at_destination = o.key != "new-not-there";
    page.push_back(o);
  }
  auto stats = ledger_->upsert_listed(j, page);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->inserted, 2u);
  EXPECT_EQ(stats->changed, 1u);
  EXPECT_EQ(stats->revived, 1u);
  EXPECT_EQ(stats->unchanged, 3u);
  // new, grows, gone and pending: not copying (in flight) nor verified.
  EXPECT_EQ(stats->found_at_destination, 4u);
  EXPECT_EQ(stats->found_at_destination_bytes, 100u + 200u + 100u + 100u);
  for (const char* k : {"new", "grows", "gone", "pending"}) {
    const ObjectRecord r = get(j, k);
    EXPECT_EQ(r.state, ObjectState::verified) << k;
    EXPECT_EQ(r.dest_etag, r.source_etag) << k;
  }
  EXPECT_EQ(get(j, "new-not-there").state, ObjectState::pending);
  EXPECT_TRUE(get(j, "new-not-there").dest_etag.empty());
  EXPECT_EQ(get(j, "copying").state, ObjectState::copying);
  EXPECT_EQ(get(j, "verified").dest_etag, "dest-etag");
  // The totals moved with the records.
  uint64_t verified = 0, pending = 0;
  auto totals = ledger_->totals(j);  // held: g++ 12 ends a temporary behind a range-for's `*` early
  ASSERT_TRUE(totals.has_value());
  for (const auto& t : *totals) {
    if (t.state == ObjectState::verified) verified = t.objects;
    if (t.state == ObjectState::pending) pending = t.objects;
  }
  EXPECT_EQ(verified, 5u);
  EXPECT_EQ(pending, 1u);
}

TEST_P(ObjectCatalogConformance, ExportVisitsEveryRecordOnceInKeyOrder) {
  const JobId j = job();
  const JobId other = job(JobMode::direct, "other");
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) keys.push_back("key-" + std::to_string(i));
  add(j, keys);
  add(other, {"key-x"});
  std::vector<std::string> seen;
  for (const auto& r : all(j)) seen.push_back(r.key);  // page size 3: several pages
  EXPECT_EQ(seen, keys);
  // A visitor's error stops the iteration and is returned.
  int calls = 0;
  auto st = for_each_object(*ledger_, j, [&](const ObjectRecord&) -> Status {
    return ++calls == 4 ? make_error(ErrorKind::permanent, "Stop", "stop") : Status{};
  }, 3);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, "Stop");
  EXPECT_EQ(calls, 4);
}

// ---- Failures, requeue and totals ----

TEST_P(ObjectCatalogConformance, FailuresAreRecordedListedAndRequeued) {
  const JobId j = job();
  add(j, {"a", "b", "c"});
  for (const char* k : {"a", "b"}) {
    commit(Transition::of(get(j, k), ObjectState::copying));
    clock_.advance(std::chrono::seconds(1));
    Transition t = Transition::of(get(j, k), ObjectState::failed);
    t.update.error = std::string("AccessDenied on ") + k;
    commit(t);
  }
  auto errors = ledger_->recent_errors(j, 10);
  ASSERT_TRUE(errors.has_value());
  ASSERT_EQ(errors->size(), 2u);
  EXPECT_EQ((*errors)[0].key, "b");  // newest first
  EXPECT_EQ((*errors)[0].error, "AccessDenied on b");
  EXPECT_EQ((*errors)[0].state, ObjectState::failed);
  EXPECT_EQ((*errors)[0].attempts, 1u);
  EXPECT_EQ(ledger_->recent_errors(j, 1)->size(), 1u);
  EXPECT_EQ(*ledger_->requeue_failed(j), 2u);
  EXPECT_EQ(get(j, "a").state, ObjectState::pending);
  EXPECT_EQ(get(j, "a").last_error, "AccessDenied on a");  // history is kept
}

TEST_P(ObjectCatalogConformance, FailedUploadOfStagedJobRequeuesToStaged) {
  const JobId j = job(JobMode::staged);
  add(j, {"s", "p"});
  for (const char* k : {"s", "p"}) commit(Transition::of(get(j, k), ObjectState::staging));
  Transition st = Transition::of(get(j, "s"), ObjectState::staged);
  st.update.staged = StagedCopy{"v", "/v/s", 100, std::nullopt, 42};
  commit(st);
  commit(Transition::of(get(j, "s"), ObjectState::uploading));
  commit(Transition::of(get(j, "s"), ObjectState::failed));
  commit(Transition::of(get(j, "p"), ObjectState::failed));
  EXPECT_EQ(get(j, "s").attempts, 1u);
  EXPECT_EQ(*ledger_->requeue_failed(j), 2u);
  EXPECT_EQ(get(j, "s").state, ObjectState::staged);
  EXPECT_EQ(get(j, "p").state, ObjectState::pending);
}

TEST_P(ObjectCatalogConformance, TotalsCountObjectsAndBytesPerState) {
  const JobId j = job();
  add(j, {"a", "b"}, 10);
  add(j, {"c"}, 1000);
  verify_direct(j, "c");
  auto totals = ledger_->totals(j);  // held: g++ 12 ends a temporary behind a range-for's `*` early
  ASSERT_TRUE(totals.has_value());
  ASSERT_EQ(totals->size(), states_of(JobMode::direct).size());
  for (const StateTotals& t : *totals) {
    if (t.state == ObjectState::pending) {
      EXPECT_EQ(t.objects, 2u);
      EXPECT_EQ(t.bytes, 20u);
    } else if (t.state == ObjectState::verified) {
      EXPECT_EQ(t.objects, 1u);
      EXPECT_EQ(t.bytes, 1000u);
    } else {
      EXPECT_EQ(t.objects, 0u);
    }
  }
}

}  // namespace s5j::ledger::conformance
