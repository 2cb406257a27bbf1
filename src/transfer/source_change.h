// What to do with an object whose source changed (or disappeared) while it
// was being read: a GET pinned to the listed ETag failed with
// PreconditionFailed, or the bytes came short.
//
// resolve_source_change() HEADs the key and decides:
//   vanished  the key is gone (NoSuchKey);
//   failed    HEAD failed otherwise, the object is in fact unchanged (the
//             caller's error stands), or it changed `max_changes` times;
//   relisted  a new version: upserted into the ledger as listed now (back
//             to pending, progress dropped) and its lease released, so it
//             is claimable at once as the new version.
// The caller must have committed its own earlier transitions of the record
// first (the upsert moves the record on), and for vanished/failed queues
// the transition itself.
//
// Thread safety: as the clients and the ledger (all thread-safe).
#pragma once

#include <cstdint>
#include <string>

#include "ledger/ledger.h"
#include "s3/s3_client.h"

namespace s5j::transfer {

struct SourceChange {
  enum class Verdict { vanished, failed, relisted };
  Verdict verdict = Verdict::failed;
  std::string error;   // for vanished/failed: the record's last_error
  s3::ObjectHead head;  // for relisted: the new version
};

// Errors: the ledger's, when the upsert or release fails (fatal for the run).
Result<SourceChange> resolve_source_change(s3::S3Client& source, const std::string& bucket, ledger::Ledger& ledger,
                                           ledger::JobId job, const ledger::ObjectRecord& record,
                                           uint32_t max_changes, const std::string& error_if_unchanged,
                                           const std::string& owner);

}  // namespace s5j::transfer
