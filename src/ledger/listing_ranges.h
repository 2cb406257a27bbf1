// ListingRanges: the ledger's part for source listings in progress. One
// listing (one scan of a job's source) is split into key ranges that are
// listed concurrently; each range is a work item with a lease, so that
// several listers (threads now; hosts, with a shared backend) share one
// listing. A range's cursor, the last key whose records are committed,
// moves in the same transaction as the records of the page it ends: a
// listing killed midway resumes from the cursors and lists again only the
// pages that were in flight.
//
// A range is (after, through]: the keys k with after < k and, when
// `through` is set, k <= through, compared bytewise as unsigned bytes (the
// order in which S3 lists UTF-8 keys; ledger records use the same order).
// after "" is before the first key; no `through` is to the last key. The
// ranges of a listing never overlap and together cover every key.
//
// One of the parts of ledger::Ledger; the durability, concurrency and
// failure rules of ledger/ledger.h hold for every method here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "ledger/records.h"

namespace s5j::ledger {

struct ListingId {
  int64_t value = 0;
  auto operator<=>(const ListingId&) const = default;
};
struct RangeId {
  int64_t value = 0;
  auto operator<=>(const RangeId&) const = default;
};

struct ListingRecord {
  ListingId id;
  JobId job;
  std::string scope;     // what is listed (the source bucket and prefix, as the planner names it)
  bool resumed = false;  // open_listing found it unfinished (a run stopped or died while listing)
};

struct ListingRange {
  RangeId id;
  ListingId listing;
  std::string after;                   // keys strictly after this ("" = from the first key)
  std::optional<std::string> through;  // up to and including this; none = to the last key
  std::string cursor;                  // last key committed; starts as `after`: listing resumes after it
  bool done = false;
  uint64_t objects = 0;  // records committed through this range
  uint64_t pages = 0;    // pages committed through this range
  std::string lease_owner;  // empty when not leased
  std::optional<TimePoint> lease_expires;
};

// One page listed in a range, for commit_range_pages.
struct RangePage {
  RangeId range;
  std::vector<ListedObject> objects;  // keys ascending
  bool last_page = false;             // the listing said no more keys follow
};

// What committing one page did.
struct RangePageCommit {
  UpsertStats upsert;
  uint64_t accepted = 0;        // objects of the page inside the range, merged into the catalog
  uint64_t accepted_bytes = 0;  // their sizes added
  ListingRange range;           // the range after the commit (a split may have moved `through`)
};

class ListingRanges {
 public:
  virtual ~ListingRanges() = default;

  // The job's unfinished listing of `scope` (resumed = true), or a new one
  // made of one range covering every key. An unfinished listing of another
  // scope (the source changed in the config) is dropped with its ranges.
  // Durable on return.
  virtual Result<ListingRecord> open_listing(JobId job, std::string_view scope) = 0;

  // Every range of the listing, ordered by `after` (bytewise).
  virtual Result<std::vector<ListingRange>> listing_ranges(ListingId listing) = 0;

  // Cuts an open range at `at`: it keeps (after, at] and a new, unleased
  // range gets (at, through]. Returns the new range, or nullopt (nothing
  // changed) when the range is done, `at` is not strictly inside
  // (cursor, through), or the range is gone. The range's holder learns its
  // new end from its next commit_range_page. Durable on return.
  virtual Result<std::optional<ListingRange>> split_range(RangeId range, std::string_view at) = 0;

  // Leases one open range of the listing that is not leased (or whose lease
  // expired) to `owner` for `lease`; nullopt when there is none.
  virtual Result<std::optional<ListingRange>> claim_range(ListingId listing, std::string_view owner,
                                                          std::chrono::milliseconds lease) = 0;

  // Drops every lease of the listing's ranges: a run that starts holds the
  // job's lock for listing, so whoever held them before is gone.
  virtual Status release_ranges(ListingId listing) = 0;

  // Commits pages listed in ranges, in the order given (several pages of
  // one range in the order they were listed): for each, the objects inside
  // its range as it is then (a split may have cut it short since the page
  // was asked for; keys ascend, after the cursor) are merged into the
  // catalog exactly as upsert_listed() merges them, the cursor moves to the
  // last of them, the lease is renewed for `lease`, and the range is done
  // when the page is its `last_page`, reached past `through`, or ended at
  // it. One transaction for all (group commit); durable on return. Returns
  // one RangePageCommit per page, in order. Fails with LedgerNotFound, and
  // commits nothing, when a range is gone (its listing was finished).
  virtual Result<std::vector<RangePageCommit>> commit_range_pages(std::span<const RangePage> pages,
                                                                  std::chrono::milliseconds lease) = 0;
  // One page alone (commit_range_pages of one).
  Result<RangePageCommit> commit_range_page(RangeId range, std::span<const ListedObject> objects, bool last_page,
                                            std::chrono::milliseconds lease);

  // Ends the listing: it and its ranges are removed, and the next
  // open_listing starts a new one. Durable on return.
  virtual Status finish_listing(ListingId listing) = 0;
};

// Range arithmetic every backend shares; keys compare bytewise (as memcmp,
// SQLite's BLOB and PostgreSQL's bytea comparison order them).
//
// Whether a cut at `at` leaves both sides of `r` a key space of their own:
// after the cursor (what is committed stays in the old range) and before
// the end. False for a done range.
bool can_split_at(const ListingRange& r, std::string_view at);
// The run of `objects` (keys ascending) inside (r.cursor, r.through]: what a
// page commits to `r`. Anything past `through` belongs to the range a split
// made since the page was asked for, which lists it itself.
std::span<const ListedObject> objects_inside(const ListingRange& r, std::span<const ListedObject> objects);

}  // namespace s5j::ledger
