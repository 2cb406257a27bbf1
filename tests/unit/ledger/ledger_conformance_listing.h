// Ledger conformance, the ListingRanges part: listings resumed by scope,
// ranges split, claimed and committed page by page with their cursors.
#pragma once

#include "unit/ledger/ledger_conformance.h"

namespace s5j::ledger::conformance {

class ListingRangesConformance : public LedgerConformance {
 protected:
  ListingRecord open(JobId j, const std::string& scope = "bucket/prefix/") {
    auto l = ledger_->open_listing(j, scope);
    EXPECT_TRUE(l.has_value()) << (l ? "" : l.error().describe());
    return l ? *l : ListingRecord{};
  }
  std::vector<ListingRange> ranges(ListingId l) {
    auto r = ledger_->listing_ranges(l);
    EXPECT_TRUE(r.has_value());
    return r ? *r : std::vector<ListingRange>{};
  }
  ListingRange claim(ListingId l, const std::string& owner = "lister") {
    auto r = ledger_->claim_range(l, owner, minutes(5));
    EXPECT_TRUE(r.has_value() && r->has_value());
    return (r && *r) ? **r : ListingRange{};
  }
  RangePageCommit page(RangeId r, const std::vector<std::string>& keys, bool last = false) {
    std::vector<ListedObject> v;
    for (const auto& k : keys) v.push_back(listed(k, 10));
    auto c = ledger_->commit_range_page(r, v, last, minutes(5));
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().describe());
    return c ? *c : RangePageCommit{};
  }
};

TEST_P(ListingRangesConformance, ANewListingIsOneRangeOverEveryKey) {
  const JobId j = job();
  const ListingRecord l = open(j);
  EXPECT_FALSE(l.resumed);
  const auto rs = ranges(l.id);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].after, "");
  EXPECT_FALSE(rs[0].through.has_value());
  EXPECT_EQ(rs[0].cursor, "");
  EXPECT_FALSE(rs[0].done);
}

TEST_P(ListingRangesConformance, PagesMergeIntoTheCatalogAndMoveTheCursorTogether) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange r = claim(l.id);
  EXPECT_EQ(r.lease_owner, "lister");
  const RangePageCommit c = page(r.id, {"a", "b"});
  EXPECT_EQ(c.accepted, 2u);
  EXPECT_EQ(c.accepted_bytes, 20u);
  EXPECT_EQ(c.upsert.inserted, 2u);
  EXPECT_EQ(c.range.cursor, "b");
  EXPECT_FALSE(c.range.done);
  EXPECT_EQ(get(j, "a").state, ObjectState::pending);
  const RangePageCommit last = page(r.id, {"c"}, true);
  EXPECT_TRUE(last.range.done);
  EXPECT_EQ(last.range.objects, 3u);
  EXPECT_EQ(last.range.pages, 2u);
  // A done range is not handed out again.
  auto none = ledger_->claim_range(l.id, "other", minutes(5));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST_P(ListingRangesConformance, AnUnfinishedListingResumesFromItsCursorInAnotherInstance) {
  const JobId j = job();
  const ListingRecord l = open(j);
  page(claim(l.id).id, {"k1", "k2"});
  auto second = open_instance();
  ASSERT_NE(second, nullptr);
  auto again = second->open_listing(j, "bucket/prefix/");
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->id, l.id);
  // The lease of the dead lister is still there until released.
  auto held = second->claim_range(l.id, "new-run", minutes(5));
  ASSERT_TRUE(held.has_value());
  EXPECT_FALSE(held->has_value());
  ASSERT_TRUE(second->release_ranges(l.id).has_value());
  auto r = second->claim_range(l.id, "new-run", minutes(5));
  ASSERT_TRUE(r.has_value() && r->has_value());
  EXPECT_EQ((*r)->cursor, "k2");
  EXPECT_EQ((*r)->lease_owner, "new-run");
}

TEST_P(ListingRangesConformance, AnExpiredLeaseIsClaimedAgain) {
  const JobId j = job();
  const ListingRecord l = open(j);
  claim(l.id, "first");
  clock_.advance(minutes(6));
  EXPECT_EQ(claim(l.id, "second").lease_owner, "second");
}

TEST_P(ListingRangesConformance, AnotherScopeDropsTheUnfinishedListing) {
  const JobId j = job();
  const ListingRecord l = open(j, "bucket/a/");
  page(claim(l.id).id, {"a/1"});
  const ListingRecord other = open(j, "bucket/b/");
  EXPECT_FALSE(other.resumed);
  EXPECT_NE(other.id, l.id);
  EXPECT_TRUE(ranges(l.id).empty());
  EXPECT_EQ(ranges(other.id).size(), 1u);
}

TEST_P(ListingRangesConformance, FinishedListingsAreGoneAndTheNextStartsAfresh) {
  const JobId j = job();
  const ListingRecord l = open(j);
  page(claim(l.id).id, {"x"}, true);
  ASSERT_TRUE(ledger_->finish_listing(l.id).has_value());
  EXPECT_TRUE(ranges(l.id).empty());
  const ListingRecord next = open(j);
  EXPECT_FALSE(next.resumed);
  EXPECT_EQ(ranges(next.id)[0].cursor, "");
}

TEST_P(ListingRangesConformance, SplitCutsTheRangeAndTheHolderLearnsItsNewEnd) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange r = claim(l.id);
  page(r.id, {"a", "b"});
  auto made = ledger_->split_range(r.id, "m");
  ASSERT_TRUE(made.has_value() && made->has_value());
  EXPECT_EQ((*made)->after, "m");
  EXPECT_EQ((*made)->cursor, "m");
  EXPECT_FALSE((*made)->through.has_value());
  EXPECT_TRUE((*made)->lease_owner.empty());
  // The holder's page asked before the split reaches past "m": the keys
  // past it are left to the new range, and the old range is done.
  const RangePageCommit c = page(r.id, {"c", "m", "n", "z"});
  EXPECT_EQ(c.accepted, 2u);
  EXPECT_EQ(c.range.cursor, "m");
  ASSERT_TRUE(c.range.through.has_value());
  EXPECT_EQ(*c.range.through, "m");
  EXPECT_TRUE(c.range.done);
  auto n = ledger_->find_object(j, "n");
  ASSERT_TRUE(n.has_value());
  EXPECT_FALSE(n->has_value());
  const ListingRange tail = claim(l.id, "other");
  EXPECT_EQ(tail.id, (*made)->id);
  const RangePageCommit t = page(tail.id, {"n", "z"}, true);
  EXPECT_EQ(t.accepted, 2u);
  EXPECT_EQ(all(j).size(), 6u);  // a b c m n z
}

TEST_P(ListingRangesConformance, SplitIsRefusedOutsideTheRangeOrBehindItsCursor) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange r = claim(l.id);
  page(r.id, {"d"});
  for (const std::string at : {"c", "d"}) {
    auto refused = ledger_->split_range(r.id, at);
    ASSERT_TRUE(refused.has_value());
    EXPECT_FALSE(refused->has_value()) << at;
  }
  ASSERT_TRUE(ledger_->split_range(r.id, "p").value().has_value());
  auto past_end = ledger_->split_range(r.id, "q");
  ASSERT_TRUE(past_end.has_value());
  EXPECT_FALSE(past_end->has_value());
  auto at_end = ledger_->split_range(r.id, "p");
  ASSERT_TRUE(at_end.has_value());
  EXPECT_FALSE(at_end->has_value());
  EXPECT_EQ(ranges(l.id).size(), 2u);
}

TEST_P(ListingRangesConformance, RangesOrderKeysBytewise) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange r = claim(l.id);
  // "a" < "a/" < "a\x7f" < "a\xc3\xa9" (é) < "a\xff": unsigned bytes, shorter prefix first.
  ASSERT_TRUE(ledger_->split_range(r.id, "a\x7f").value().has_value());
  const RangePageCommit c = page(r.id, {"a", "a/", "a\x7f", std::string("a\xc3\xa9")});
  EXPECT_EQ(c.accepted, 3u);
  EXPECT_EQ(c.range.cursor, "a\x7f");
  EXPECT_TRUE(c.range.done);
  const ListingRange tail = claim(l.id);
  EXPECT_EQ(tail.after, "a\x7f");
  const RangePageCommit t = page(tail.id, {std::string("a\xc3\xa9"), std::string("a\xff")}, true);
  EXPECT_EQ(t.accepted, 2u);
  const auto rs = ranges(l.id);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].after, "");
  EXPECT_EQ(rs[1].after, "a\x7f");
}

TEST_P(ListingRangesConformance, CommittingAPageOfAFinishedListingFails) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange r = claim(l.id);
  ASSERT_TRUE(ledger_->finish_listing(l.id).has_value());
  std::vector<ListedObject> v{listed("a")};
  auto c = ledger_->commit_range_page(r.id, v, false, minutes(5));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, kLedgerNotFound);
}

TEST_P(ListingRangesConformance, ResetDropsTheJobsListings) {
  const JobId j = job();
  const ListingRecord l = open(j);
  page(claim(l.id).id, {"a"});
  ASSERT_TRUE(ledger_->reset_job(j).has_value());
  EXPECT_TRUE(ranges(l.id).empty());
  EXPECT_FALSE(open(j).resumed);
}

TEST_P(ListingRangesConformance, PagesOfSeveralRangesCommitTogetherInOrder) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange head = claim(l.id, "one");
  const ListingRange tail = *ledger_->split_range(head.id, "m").value();
  std::vector<RangePage> pages = {
      {head.id, {listed("a"), listed("b")}, false},
      {tail.id, {listed("n")}, false},
      {head.id, {listed("c"), listed("m")}, false},  // ends at its range's end: done
      {tail.id, {listed("o")}, true},
  };
  auto done = ledger_->commit_range_pages(pages, minutes(5));
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  ASSERT_EQ(done->size(), 4u);
  EXPECT_EQ((*done)[0].range.cursor, "b");
  EXPECT_FALSE((*done)[0].range.done);
  EXPECT_EQ((*done)[2].range.cursor, "m");
  EXPECT_TRUE((*done)[2].range.done);
  EXPECT_EQ((*done)[3].range.cursor, "o");
  EXPECT_TRUE((*done)[3].range.done);
  EXPECT_EQ(all(j).size(), 6u);
}

TEST_P(ListingRangesConformance, AGroupWithAGoneRangeCommitsNothing) {
  const JobId j = job();
  const ListingRecord l = open(j);
  const ListingRange r = claim(l.id);
  std::vector<RangePage> pages = {{r.id, {listed("a")}, false}, {RangeId{r.id.value + 1000}, {listed("b")}, false}};
  auto done = ledger_->commit_range_pages(pages, minutes(5));
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().code, kLedgerNotFound);
  EXPECT_TRUE(all(j).empty());
  EXPECT_EQ(ranges(l.id)[0].cursor, "");
}

}  // namespace s5j::ledger::conformance
