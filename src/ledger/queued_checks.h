// What TransitionQueue::queue*() refuse at queue time, whatever the backend:
// the checks that need no stored state (the job's mode aside). A backend's
// queue*() calls these and then buffers the operation; the checks against
// stored state happen at flush time (transition.h's rejection codes).
#pragma once

#include "base/error.h"
#include "ledger/records.h"
#include "ledger/transition.h"

namespace s5j::ledger {

// LedgerIllegalTransition when the job's state machine has no `from -> to`.
Status check_queued_transition(JobMode mode, const Transition& t);
// LedgerIllegalTransition for a part number outside 1..10000 (S3's range).
Status check_queued_part(const PartRecord& part);
// LedgerIllegalTransition unless the upload ends completed or aborted.
Status check_queued_upload_end(UploadStatus status);

}  // namespace s5j::ledger
