// The Ledger conformance suite, part 1: fixture, jobs, planning, states.
// Written against the Ledger interface only. A backend's test file includes
// this header (and ledger_conformance_work.h) and instantiates the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, LedgerConformance,
//                            ::testing::Values(LedgerBackend{...}), backend_name);
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/ledger_error.h"
#include "unit/ledger/fake_clock.h"

namespace s5j::ledger::conformance {

struct LedgerBackend {
  std::string name;
  // A new, empty store; returns its location.
  std::function<std::string()> new_store;
  // Opens (another instance on) the store at `location`.
  std::function<Result<std::unique_ptr<Ledger>>(const std::string& location, const Clock& clock)> open;
};

// Prints the backend's name in test names and failure messages.
inline void PrintTo(const LedgerBackend& b, std::ostream* os) { *os << b.name; }

inline std::string backend_name(const ::testing::TestParamInfo<LedgerBackend>& info) { return info.param.name; }

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

// ---- Jobs ----

TEST_P(LedgerConformance, OpenJobCreatesOnceAndFindsIt) {
  const JobId a = job(JobMode::direct, "alpha");
  EXPECT_EQ(job(JobMode::direct, "alpha"), a);
  const JobId b = job(JobMode::staged, "beta");
  EXPECT_NE(a, b);
  auto found = ledger_->find_job("beta");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->mode, JobMode::staged);
  EXPECT_FALSE(ledger_->find_job("gamma")->has_value());
}

TEST_P(LedgerConformance, OpenJobWithAnotherModeIsAConflict) {
  job(JobMode::direct, "alpha");
  auto again = ledger_->open_job("alpha", JobMode::staged);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, kLedgerConflict);
}

// ---- Planning ----

TEST_P(LedgerConformance, UpsertInsertsPendingRecordsWithListingFields) {
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

TEST_P(LedgerConformance, KeysAreBytesAndOrderBytewise) {
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

TEST_P(LedgerConformance, PagesResumeAfterAKeyAndFilterByState) {
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

TEST_P(LedgerConformance, UpsertLeavesVerifiedUnchangedObjectsAlone) {
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

TEST_P(LedgerConformance, VanishedObjectListedAgainIsPendingAgain) {
  const JobId j = job();
  add(j, {"gone"});
  EXPECT_TRUE(commit(Transition::of(get(j, "gone"), ObjectState::vanished)).rejected.empty());
  auto stats = ledger_->upsert_listed(j, std::vector{listed("gone")});
  EXPECT_EQ(stats->revived, 1u);
  EXPECT_EQ(get(j, "gone").state, ObjectState::pending);
}

// ---- Transitions ----

TEST_P(LedgerConformance, DirectLifecycleRecordsEverything) {
  const JobId j = job();
  add(j, {"obj"});
  auto claimed = ledger_->claim(ClaimRequest{j, 10, "w1", std::chrono::minutes(1), {ObjectState::pending}});
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_TRUE(commit(Transition::of(claimed->front(), ObjectState::copying, "w1")).rejected.empty());
  EXPECT_EQ(get(j, "obj").lease_owner, "w1");
  Transition t = Transition::of(get(j, "obj"), ObjectState::verified, "w1");
  t.update.md5 = md5(1);
  t.update.crc32c = 0xE3069283u;
  t.update.dest_etag = "\"d\"";
  const FlushReport rep = commit(t);
  EXPECT_EQ(rep.applied, 1u);
  EXPECT_TRUE(rep.rejected.empty());
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::verified);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(r.md5, md5(1));
  EXPECT_EQ(r.crc32c, 0xE3069283u);
  EXPECT_EQ(r.dest_etag, "\"d\"");
  EXPECT_TRUE(r.lease_owner.empty());  // resting states hold no lease
}

TEST_P(LedgerConformance, IllegalTransitionsFailWhenQueued) {
  const JobId d = job(JobMode::direct, "d");
  const JobId s = job(JobMode::staged, "s");
  add(d, {"x"});
  add(s, {"y"});
  const ObjectRecord x = get(d, "x"), y = get(s, "y");
  for (const Transition& t : {Transition::of(x, ObjectState::verified), Transition::of(x, ObjectState::staging),
                              Transition::of(x, ObjectState::pending), Transition::of(y, ObjectState::copying),
                              Transition::of(y, ObjectState::uploading)}) {
    auto q = ledger_->queue(t);
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, kLedgerIllegalTransition);
  }
  Transition back = Transition::of(x, ObjectState::pending);
  back.from = ObjectState::verified;  // verified never goes back by transition
  EXPECT_EQ(ledger_->queue(back).error().code, kLedgerIllegalTransition);
  EXPECT_EQ(ledger_->queued(), 0u);
}

TEST_P(LedgerConformance, UnknownJobIsNotFound) {
  Transition t;
  t.job = JobId{987654};
  t.from = ObjectState::pending;
  t.to = ObjectState::copying;
  auto q = ledger_->queue(t);
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(q.error().code, kLedgerNotFound);
}

TEST_P(LedgerConformance, VerifiedWithoutChecksumsIsRefused) {
  const JobId j = job();
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::copying));
  Transition t = Transition::of(get(j, "obj"), ObjectState::verified);
  t.update.dest_etag = "etag-only";
  const FlushReport rep = commit(t);
  ASSERT_EQ(rep.rejected.size(), 1u);
  EXPECT_EQ(rep.rejected[0].code, "MissingChecksums");
  EXPECT_EQ(get(j, "obj").state, ObjectState::copying);
  // A CRC-32C alone is enough (resumed multipart uploads cannot MD5 the whole).
  t.update.crc32c = 7;
  EXPECT_TRUE(commit(t).rejected.empty());
  EXPECT_EQ(get(j, "obj").state, ObjectState::verified);
}

TEST_P(LedgerConformance, VerifiedByDestinationEtagEqualToSourceEtag) {
  const JobId j = job();
  add(j, {"copied"});  // listed with ETag "etag-1"
  commit(Transition::of(get(j, "copied"), ObjectState::copying));
  Transition other = Transition::of(get(j, "copied"), ObjectState::verified);
  other.update.dest_etag = "etag-2";  // a different ETag is no evidence
  ASSERT_EQ(commit(other).rejected.size(), 1u);
  Transition same = Transition::of(get(j, "copied"), ObjectState::verified);
  same.update.dest_etag = "etag-1";  // e.g. a server-side copy of the same bytes
  EXPECT_TRUE(commit(same).rejected.empty());
  EXPECT_EQ(get(j, "copied").state, ObjectState::verified);
  EXPECT_EQ(get(j, "copied").dest_etag, "etag-1");
}

TEST_P(LedgerConformance, StaleTransitionIsRejectedOthersInBatchApply) {
  const JobId j = job();
  add(j, {"a", "b"});
  const ObjectRecord a = get(j, "a");
  ASSERT_TRUE(ledger_->queue(Transition::of(a, ObjectState::copying)).has_value());
  ASSERT_TRUE(ledger_->queue(Transition::of(a, ObjectState::copying)).has_value());  // from is stale by then
  ASSERT_TRUE(ledger_->queue(Transition::of(get(j, "b"), ObjectState::copying)).has_value());
  EXPECT_EQ(ledger_->queued(), 3u);
  auto rep = ledger_->flush();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->applied, 2u);
  ASSERT_EQ(rep->rejected.size(), 1u);
  EXPECT_EQ(rep->rejected[0].code, "StateChanged");
  EXPECT_EQ(rep->rejected[0].id, a.id);
  EXPECT_EQ(ledger_->queued(), 0u);
  EXPECT_EQ(get(j, "b").state, ObjectState::copying);
  EXPECT_EQ(get(j, "a").attempts, 1u);
}

TEST_P(LedgerConformance, ChecksumThatDisagreesWithRecordedIsRefused) {
  const JobId j = job();
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::copying));
  Transition first = Transition::of(get(j, "obj"), ObjectState::copying);  // progress, no state change
  first.update.md5 = md5(1);
  EXPECT_TRUE(commit(first).rejected.empty());
  Transition t = Transition::of(get(j, "obj"), ObjectState::verified);
  t.update.md5 = md5(2);
  const FlushReport rep = commit(t);
  ASSERT_EQ(rep.rejected.size(), 1u);
  EXPECT_EQ(rep.rejected[0].code, "ChecksumMismatch");
  EXPECT_EQ(get(j, "obj").state, ObjectState::copying);
  EXPECT_EQ(get(j, "obj").md5, md5(1));
  EXPECT_EQ(get(j, "obj").attempts, 1u);  // staying in copying is not a new attempt
}

TEST_P(LedgerConformance, StagedRelayLifecycleAndChecks) {
  const JobId j = job(JobMode::staged);
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::staging));
  // staged without a staged copy is refused
  EXPECT_EQ(commit(Transition::of(get(j, "obj"), ObjectState::staged)).rejected.at(0).code, "MissingStagedCopy");
  // a staged copy whose checksum differs from the source stream is refused
  Transition bad = Transition::of(get(j, "obj"), ObjectState::staged);
  bad.update.md5 = md5(1);
  bad.update.staged = StagedCopy{"vol-1", "/mnt/vol-1/obj", 100, md5(9), std::nullopt};
  EXPECT_EQ(commit(bad).rejected.at(0).code, "ChecksumMismatch");
  Transition good = Transition::of(get(j, "obj"), ObjectState::staged);
  good.update.md5 = md5(1);
  good.update.crc32c = 5;
  good.update.staged = StagedCopy{"vol-1", "/mnt/vol-1/obj", 100, md5(1), 5, R"([["Content-Type","text/x-a"]])"};
  EXPECT_TRUE(commit(good).rejected.empty());
  const ObjectRecord staged = get(j, "obj");
  ASSERT_TRUE(staged.staged.has_value());
  EXPECT_EQ(*staged.staged, *good.update.staged);
  commit(Transition::of(staged, ObjectState::uploading));
  Transition done = Transition::of(get(j, "obj"), ObjectState::verified);
  done.update.dest_etag = "e";
  EXPECT_TRUE(commit(done).rejected.empty());
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::verified);
  EXPECT_EQ(r.attempts, 1u);  // one pass: staging, and the upload that completes it
}

TEST_P(LedgerConformance, CorruptStagedCopyGoesBackToPendingWithoutItsStagedCopy) {
  const JobId j = job(JobMode::staged);
  add(j, {"obj"});
  commit(Transition::of(get(j, "obj"), ObjectState::staging));
  Transition st = Transition::of(get(j, "obj"), ObjectState::staged);
  st.update.crc32c = 7;
  st.update.staged = StagedCopy{"v", "/v/obj", 100, md5(3), 7};
  ASSERT_TRUE(commit(st).rejected.empty());
  commit(Transition::of(get(j, "obj"), ObjectState::uploading));
  Transition back = Transition::of(get(j, "obj"), ObjectState::pending);
  back.update.error = "StagedCorrupt: CRC-32C differs";
  ASSERT_TRUE(commit(back).rejected.empty());
  const ObjectRecord r = get(j, "obj");
  EXPECT_EQ(r.state, ObjectState::pending);
  EXPECT_FALSE(r.staged.has_value());  // the copy no longer stands for the object (nor its metadata)
  EXPECT_EQ(r.crc32c, 7u);             // what the source stream hashed to still holds
  EXPECT_EQ(r.last_error, "StagedCorrupt: CRC-32C differs");
  // Staged again from the source: the new copy must agree with the source.
  commit(Transition::of(r, ObjectState::staging));
  Transition again = Transition::of(get(j, "obj"), ObjectState::staged);
  again.update.staged = StagedCopy{"v2", "/v2/obj", 100, md5(3), 8};
  EXPECT_EQ(commit(again).rejected.at(0).code, "ChecksumMismatch");
  again.update.staged->crc32c = 7;
  EXPECT_TRUE(commit(again).rejected.empty());
  EXPECT_EQ(get(j, "obj").staged->volume, "v2");
}

TEST_P(LedgerConformance, FailuresAreRecordedListedAndRequeued) {
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

TEST_P(LedgerConformance, FailedUploadOfStagedJobRequeuesToStaged) {
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

TEST_P(LedgerConformance, TotalsCountObjectsAndBytesPerState) {
  const JobId j = job();
  add(j, {"a", "b"}, 10);
  add(j, {"c"}, 1000);
  verify_direct(j, "c");
  auto totals = ledger_->totals(j);
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

TEST_P(LedgerConformance, FlushedWorkSurvivesReopenQueuedWorkIsNotVisibleBefore) {
  const JobId j = job();
  add(j, {"a", "b"});
  verify_direct(j, "a");
  ASSERT_TRUE(ledger_->queue(Transition::of(get(j, "b"), ObjectState::copying)).has_value());
  EXPECT_EQ(get(j, "b").state, ObjectState::pending);  // reads see committed state only
  ASSERT_TRUE(ledger_->flush().has_value());
  ledger_.reset();
  ledger_ = open_instance();
  EXPECT_EQ(get(j, "a").state, ObjectState::verified);
  EXPECT_EQ(get(j, "a").md5, md5(0xAB));
  EXPECT_EQ(get(j, "b").state, ObjectState::copying);
}

TEST_P(LedgerConformance, ExportVisitsEveryRecordOnceInKeyOrder) {
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

TEST_P(LedgerConformance, ResetForgetsObjectsButKeepsOpenUploads) {
  const JobId j = job();
  const JobId other = job(JobMode::direct, "other");
  add(j, {"a", "b"});
  add(other, {"a"});
  commit(Transition::of(get(j, "a"), ObjectState::copying));
  auto up = ledger_->begin_upload(UploadStart{get(j, "a").id, "upload-1", 8 << 20, 3});
  ASSERT_TRUE(up.has_value());
  ASSERT_TRUE(ledger_->reset_job(j).has_value());
  EXPECT_TRUE(all(j).empty());
  EXPECT_EQ(all(other).size(), 1u);
  auto open = ledger_->open_uploads(j);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().upload_id, "upload-1");
  EXPECT_EQ(open->front().key, "a");
  EXPECT_EQ(open->front().status, UploadStatus::abandoned);
  EXPECT_FALSE(open->front().object.has_value());
  // The job itself remains and can be planned again.
  add(j, {"a"});
  EXPECT_EQ(get(j, "a").state, ObjectState::pending);
}

}  // namespace s5j::ledger::conformance
