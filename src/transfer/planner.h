// Planner: decides what a sync must copy, with memory bounded whatever the
// object count.
//
//  1. The source listing is merged into the ledger a page at a time: new
//     and changed objects become pending, objects the ledger shows verified
//     with unchanged size and ETag stay verified. The key space is listed
//     as ranges in parallel (ParallelLister: `list_workers` at once), each
//     range's cursor committed with its page, so a listing that was cut
//     short resumes where its ranges got to. A v1-only or unsorted source
//     (the legacy Snowball adapter) is listed in one stream from the start
//     (upsert_listed per page); because the ledger, not memory, holds the
//     listing, an unsorted one needs nothing else.
//  2. What the destination holds already (the same size and an equal,
//     comparable ETag: MD5 or multipart-MD5 shaped) is recorded verified
//     without copying:
//     - each page of the parallel listing is compared with the destination
//       before it is committed (DestinationMatcher), so that the records it
//       leaves pending are those to copy, and the copy may start on them
//       while the listing goes on (copy while listing: `claims_open`);
//     - records pending from earlier runs are compared first, before the
//       listing, by merging them (read from the ledger in key order) with
//       the destination listing; and so is everything listed in one stream,
//       after that listing (an unsorted source cannot be compared a range
//       at a time).
//     A no-op re-sync lists one side only: the ledger knows every key.
//
// Thread safety: one plan() at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"

namespace s5j::transfer {

struct PlanSummary {
  uint64_t listed_objects = 0;
  uint64_t listed_bytes = 0;
  ledger::UpsertStats upsert;
  bool source_sorted = true;
  bool listed_in_parallel = true;  // false: one stream (single_stream_reason says why)
  std::string single_stream_reason;
  bool listing_resumed = false;    // an unfinished listing was resumed from its cursors
  bool listing_stopped = false;    // a stop request ended the listing early (the destination was not matched)
  uint64_t listing_pages = 0;
  uint64_t listing_ranges = 0;
  uint64_t found_at_destination = 0;  // recorded verified without copying
  uint64_t found_at_destination_bytes = 0;
  uint64_t pending_objects = 0;  // to copy
  uint64_t pending_bytes = 0;
  uint64_t verified_objects = 0;  // verified in the ledger, after planning
  uint64_t verified_bytes = 0;

  // Verified before this plan found them identical at the destination. Never
  // below zero: with other workers on the job (a cooperative ledger) their
  // planners may have recorded some of the same objects first, which this
  // one counted as found but the ledger rejected.
  uint64_t already_verified() const {
    return verified_objects > found_at_destination ? verified_objects - found_at_destination : 0;
  }
};

struct PlannerSettings {
  std::string source_bucket;
  std::string source_prefix;
  std::string destination_bucket;
  std::string destination_prefix;
  bool match_destination = true;
  int list_workers = 8;         // ranges listed at once
  std::string lister_owner = "planner";  // lease owner of the ranges (the run's lock owner)
  // Told (once, before listing on) why the source is listed in one stream,
  // e.g. to say so in `s5j status`.
  std::function<void(const std::string& why)> on_single_stream;
  // Asked while listing: true ends the listing early (the run is stopping);
  // the plan is then partial (listing_stopped) and the next run resumes it.
  std::function<bool()> stop_requested;
  // Other workers may list the same source (ListerSettings::cooperative);
  // each range's lease (renewed by every page committed).
  bool cooperative = false;
  std::chrono::milliseconds range_lease{std::chrono::minutes(10)};
  // Copy while listing: told true once the records the plan leaves pending
  // are all to be moved (compared with the destination, when it is matched)
  // and may be claimed while the listing goes on; false while they may not
  // (a listing in one stream is compared only at its end); true again then.
  // The plan's end opens them in any case.
  std::function<void(bool open)> claims_open;
};

class Planner {
 public:
  Planner(PlannerSettings settings, s3::S3Client& source, s3::S3Client& destination, ledger::Ledger& ledger,
          ledger::JobId job, log::EventLog& events);

  // `on_page` (optional) is told the running listed totals after each page.
  Result<PlanSummary> plan(const std::function<void(uint64_t objects, uint64_t bytes)>& on_page = {});

 private:
  Status list_source(PlanSummary& summary, const std::function<void(uint64_t, uint64_t)>& on_page,
                     bool job_had_records);
  Status list_in_one_stream(PlanSummary& summary, const std::function<void(uint64_t, uint64_t)>& on_page);
  Status match_destination(PlanSummary& summary);
  void open_claims(bool open) const {
    if (settings_.claims_open) settings_.claims_open(open);
  }
  std::string destination_key(const std::string& source_key) const;

  PlannerSettings settings_;
  s3::S3Client& source_;
  s3::S3Client& destination_;
  ledger::Ledger& ledger_;
  ledger::JobId job_;
  log::EventLog& events_;
};

}  // namespace s5j::transfer
