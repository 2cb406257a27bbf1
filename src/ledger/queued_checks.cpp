#include "ledger/queued_checks.h"

#include <string>

#include "ledger/ledger_error.h"
#include "ledger/object_state.h"

namespace s5j::ledger {

Status check_queued_transition(JobMode mode, const Transition& t) {
  if (is_legal_transition(mode, t.from, t.to)) return {};
  return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition,
                      std::string(to_string(t.from)) + " -> " + std::string(to_string(t.to)) +
                          " is not a legal transition for a " + std::string(to_string(mode)) + " job (object " +
                          std::to_string(t.id.value) + ")");
}

Status check_queued_part(const PartRecord& part) {
  if (part.part_number >= 1 && part.part_number <= 10'000) return {};
  return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition,
                      "part number " + std::to_string(part.part_number) + " is outside 1..10000");
}

Status check_queued_upload_end(UploadStatus status) {
  if (status == UploadStatus::completed || status == UploadStatus::aborted) return {};
  return ledger_error(ErrorKind::permanent, kLedgerIllegalTransition,
                      "an upload can only end completed or aborted, not " + std::string(to_string(status)));
}

}  // namespace s5j::ledger
