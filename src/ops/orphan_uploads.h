// Orphaned multipart uploads: uploads open at the destination, under the
// job's destination prefix, that the ledger does not know. They come from
// a CreateMultipartUpload whose answer was lost (the server created the
// upload, the client never learnt its id and created another), or from a
// process killed between the server's answer and the ledger's record of
// it. Nobody can resume them; left alone they hold storage for ever.
//
// abort_orphan_uploads() runs after a run that completed: it lists the
// uploads under the prefix, then the ledger's open uploads of the job, and
// aborts those the ledger does not know whose key is one the job copies (a
// destination key whose source key has a record of the job): uploads of
// other writers to other keys are never touched (event
// `orphan_upload_aborted`). Uploads under the write probe's keys
// (s3/access_probe.h) are aborted too: they are s5j's, left open when a
// process was killed between the probe's create and abort. Listing first means an upload that another run
// creates meanwhile is not listed.
//
// Thread safety: call from one thread; the client and ledger are shared-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "config/config.h"
#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"

namespace s5j::ops {

// Returns how many uploads were aborted.
// `prefix`: the destination prefix; `source_prefix` maps a destination key
// back to its source key (the copier's prefix replacement, reversed).
Result<uint64_t> abort_orphan_uploads(s3::S3Client& destination, const std::string& bucket, const std::string& prefix,
                                      const std::string& source_prefix, ledger::Ledger& ledger, ledger::JobId job,
                                      log::EventLog& events);

// The sweep after a run that completed, for the job of `config`: best
// effort, a failure is logged (`orphan_sweep_failed`), never fatal.
void sweep_orphan_uploads(s3::S3Client& destination, const config::Config& config, ledger::Ledger& ledger,
                          log::EventLog& events);

}  // namespace s5j::ops
