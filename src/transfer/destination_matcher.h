// DestinationMatcher: while the source is listed, finds which listed
// objects the destination holds already (the same size and an equal,
// comparable ETag), so that each page is committed with those recorded
// verified (ListedObject::at_destination) and every record left pending is
// one to copy. That is what lets the copy start on the first committed
// records while the listing goes on (copy while listing): no later pass
// over the destination turns pending records verified.
//
// Each key range being listed has its own RangeMatch, a lazy listing of
// the destination over the same keys (the mapping source prefix →
// destination prefix keeps S3's byte order): a destination page is asked
// for only when a listed key needs comparing and nothing fetched reaches
// it, starting after the source key just before that key. A fresh job's
// listing against an empty destination costs one destination request per
// range; a range the destination fills costs about one destination page
// per source page, as the old whole-destination pass did.
//
// A key needs comparing unless the ledger holds it already with the same
// size and ETag in a state other than vanished: verified, in flight, or
// pending from before this listing (the planner compares those before the
// listing starts). Only a job that had records when its listing began is
// read back, a page of records per source page; a new job's is not.
//
// A destination that lists keys out of order is not compared any further
// (`destination_unsorted`, once): its objects are all copied, as before.
//
// Thread safety: one RangeMatch per listing worker; the matcher itself (its
// counters and the unsorted flag) is shared by all of them.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "ledger/object_catalog.h"
#include "log/event_log.h"
#include "s3/s3_client.h"

namespace s5j::transfer {

struct DestinationMatchSettings {
  std::string source_prefix;
  std::string destination_bucket;
  std::string destination_prefix;
  // The job held records when this listing began: the ledger is read to
  // skip keys it knows unchanged (false for a new job: nothing to read).
  bool read_ledger = true;
  int max_keys = 1000;  // per destination list request
};

class DestinationMatcher {
 public:
  DestinationMatcher(DestinationMatchSettings settings, s3::S3Client& destination, ledger::ObjectCatalog& catalog,
                     ledger::JobId job, log::EventLog& events);

  class RangeMatch {
   public:
    // Marks the page's objects (keys ascending, all after `previous`, the
    // last source key listed before them in this range, "" for none)
    // that the destination holds already.
    Status mark(std::vector<ledger::ListedObject>& page, const std::string& previous);

   private:
    friend class DestinationMatcher;
    explicit RangeMatch(DestinationMatcher& matcher) : matcher_(matcher) {}
    // The first destination object at or after `key`, or nullptr when none
    // is; lists after `lower` (a key before `key`) when it must fetch.
    Result<const s3::ObjectInfo*> seek(const std::string& key, const std::string& lower);
    Status skip_known(std::vector<ledger::ListedObject>& page, const std::string& previous,
                      std::vector<bool>& compare);

    DestinationMatcher& matcher_;
    std::vector<s3::ObjectInfo> fetched_;  // ascending
    size_t at_ = 0;
    std::string listed_after_;  // every destination key up to here was fetched (or skipped)
    bool started_ = false;
    bool exhausted_ = false;  // no destination key follows listed_after_
  };

  // A matcher for one range (one listing worker's current range).
  RangeMatch for_range() { return RangeMatch(*this); }

  // Destination list requests made so far (source_listed reports them).
  uint64_t destination_requests() const { return requests_.load(); }

 private:
  std::string destination_key(const std::string& source_key) const;

  const DestinationMatchSettings settings_;
  s3::S3Client& destination_;
  ledger::ObjectCatalog& catalog_;
  const ledger::JobId job_;
  log::EventLog& events_;
  std::atomic<bool> unsorted_{false};
  std::atomic<uint64_t> requests_{0};
};

}  // namespace s5j::transfer
