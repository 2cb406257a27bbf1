// What the two legs of a relay run share: settings, the ledger and its
// group commit, the run (owner, job), the staging volumes, the event log,
// and the run's tally. Internal to the relay (relay_engine.cpp, stage_leg,
// drain_leg).
//
// Thread safety: RelayTally is safe from any thread; the rest are
// references to thread-safe parts.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "staging/stager.h"
#include "transfer/group_commit.h"
#include "transfer/job_run.h"
#include "transfer/relay_activity.h"
#include "transfer/relay_engine.h"

namespace s5j::transfer {

class RelayTally {
 public:
  std::atomic<uint64_t> staged_objects{0}, staged_bytes{0}, downloaded_bytes{0};
  std::atomic<uint64_t> verified_objects{0}, verified_bytes{0}, uploaded_bytes{0};
  std::atomic<uint64_t> failed_objects{0}, vanished_objects{0}, changed_objects{0}, refetch_objects{0};
  std::atomic<uint64_t> space_waits{0};

  void add_failure(const std::string& key, const std::string& error) {
    ++failed_objects;
    std::lock_guard lock(mutex_);
    if (failures_.size() < 20) failures_.push_back((key.size() <= 200 ? key : key.substr(0, 200) + "...") + ": " + error);
  }
  std::vector<std::string> failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;  // guarded by mutex_
};

struct RelayContext {
  const RelaySettings& settings;
  ledger::Ledger& ledger;
  log::EventLog& events;
  const Clock& clock;
  JobRun& run;
  GroupCommit& committer;
  staging::Stager& stager;
  RelayTally& tally;
  RelayActivity& activity;  // what the legs report for `s5j status`
};

class ClaimDispatcher;

// An object one leg gave up on: queued `failed` with its update, released,
// tallied, and `object_failed` logged (with `leg`) once that is durable.
void record_failed_object(const RelayContext& ctx, ClaimDispatcher& dispatcher, const ledger::ObjectRecord& record,
                          const ledger::ObjectUpdate& update, const std::string& error_code, const char* leg);

// Objects of the job in `states`, from the ledger's committed totals.
Result<uint64_t> count_in(ledger::Ledger& ledger, ledger::JobId job, std::initializer_list<ledger::ObjectState> states);

}  // namespace s5j::transfer
