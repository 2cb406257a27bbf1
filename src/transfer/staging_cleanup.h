// Cleaning the staging volumes at the start of a relay run, before any
// worker starts, so that after a crash at any point nothing is left behind
// and nothing verified is moved again.
//
// With the stage role (stage, relay), which owns the writing of staged files:
//   * .part files (a write cut short) are deleted — their objects are
//     still pending or staging and are staged again;
//   * a complete file is kept only when its object wants it: staged or
//     uploading (the drain uploads it), or failed with its staged copy
//     recorded (the upload is retried from it). Anything else is deleted:
//     verified (the crash came between `verified` and the deletion),
//     staging (renamed into place before the ledger heard of it: staged
//     again), pending (sent back, or its source changed), vanished, or no
//     record at all (the job was reset).
// With only the drain role, a stage run may be writing right now: only
// files of verified objects, or of no object, are deleted; .part files and
// everything else belong to the stage side.
//
// Thread safety: call with the role's lock held, before workers start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ledger/object_catalog.h"
#include "log/event_log.h"
#include "staging/stager.h"

namespace s5j::transfer {

struct CleanupStats {
  uint64_t partials_removed = 0;
  uint64_t stale_removed = 0;
  uint64_t kept = 0;
};

// `own_host`: on a cooperative ledger, this host's name. A file whose record
// names another host's staged copy is stale whatever the role: this host
// was taken for gone and the object was fetched again elsewhere.
Result<CleanupStats> clean_staging(staging::Stager& stager, ledger::ObjectCatalog& ledger, ledger::JobId job,
                                   bool stage_role, log::EventLog& events,
                                   const std::optional<std::string>& own_host = std::nullopt);

}  // namespace s5j::transfer
