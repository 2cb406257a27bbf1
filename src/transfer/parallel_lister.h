// ParallelLister: lists a source bucket/prefix into the ledger as key ranges
// listed concurrently, resumable from the ranges' cursors in the ledger
// (ledger/listing_ranges.h).
//
//  1. The job's unfinished listing of this source is resumed (its leases
//     released: the run holds the job's lock for listing; not when the
//     job is shared by cooperating workers, see `cooperative`), or a new one
//     starts as one range over every key and is split at common prefixes
//     that a delimiter listing of the prefix names (descending while there
//     is only one).
//  2. `workers` threads claim ranges and list each with start-after its
//     cursor, a page at a time; each page (compared with the destination
//     first, when there is a `matcher`) is committed with the cursor in
//     one transaction (keys past the range's end, which a split moved, are
//     left to the range that owns them now) by a RangePageCommitter, which
//     commits the pages of all workers together while they ask for their
//     next pages (at most two pages per worker not yet committed).
//  3. A worker that finds nothing to claim splits the open range with the
//     most key space left, one that has listed a page already, at a key in
//     the middle of what it has not listed (key_between), and claims the
//     new half; with nothing to split it waits for the next page.
//  4. When every range is done the listing is finished (removed). A stop
//     request ends it early instead: pages in flight are committed, the
//     listing stays for the next run to resume.
//
// Sorted v2 listings only: a page out of order or a v1-only source
// (list_api v1, the legacy Snowball adapter) ends with `single_stream` set
// and the listing dropped (what it committed stays in the catalog), and the
// caller lists in one stream instead. Memory
// is the pages in flight (one per worker) and the range list, whatever the
// object count.
//
// Thread safety: one run() at a time; `on_page` is called from the workers,
// one call at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "transfer/destination_matcher.h"

namespace s5j::transfer {

struct ListerSettings {
  std::string bucket;
  std::string prefix;
  int workers = 8;
  std::string owner;  // lease owner; each worker appends "/list-<n>"
  std::chrono::milliseconds lease{std::chrono::minutes(10)};
  // Several workers (hosts) share the job (Ledger::cooperative()): a
  // resumed listing's leased ranges are left to their listers (not
  // released), and with nothing left to claim or split here the lister
  // waits, looking again every `others_poll`, until every range is done:
  // ranges other workers list are either finished by them or, if they die,
  // claimed here once their leases expire.
  bool cooperative = false;
  std::chrono::milliseconds others_poll{std::chrono::seconds(1)};
  size_t max_ranges = 1024;  // splits stop here (done ranges count): bounds the range list
  int max_keys = 1000;       // per list request
  // Asked before each list request: true ends the listing early (the run is
  // stopping); what was listed is committed, the rest resumes next time.
  std::function<bool()> stop_requested;
  // When set, each page is compared with the destination before it is
  // committed (DestinationMatcher: what is there already is committed
  // verified). Not owned.
  DestinationMatcher* matcher = nullptr;
};

struct ListingOutcome {
  uint64_t objects = 0;  // committed by this run (a resumed listing's earlier pages are not counted)
  uint64_t bytes = 0;
  ledger::UpsertStats upsert;
  uint64_t pages = 0;   // list requests of ranges (discovery not counted)
  uint64_t ranges = 0;  // ranges of the listing when it finished
  bool resumed = false;
  bool stopped = false;  // stop_requested ended it early: not finished, resumes from its cursors
  // Set when this listing cannot be parallel (nothing was finished); why:
  bool single_stream = false;
  std::string single_stream_reason;  // "list_api_v1" | "unsorted"
};

class ParallelLister {
 public:
  ParallelLister(ListerSettings settings, s3::S3Client& source, ledger::ListingRanges& ranges, ledger::JobId job,
                 log::EventLog& events);

  // `on_page` (optional) is told this run's running totals after each page.
  Result<ListingOutcome> run(const std::function<void(uint64_t objects, uint64_t bytes)>& on_page = {});

  // The scope a listing of this bucket and prefix is kept under.
  static std::string scope_of(const std::string& bucket, const std::string& prefix);

 private:
  struct Shared;
  ListerSettings settings_;
  s3::S3Client& source_;
  ledger::ListingRanges& ranges_;
  ledger::JobId job_;
  log::EventLog& events_;
};

}  // namespace s5j::transfer
