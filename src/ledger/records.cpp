// Names of the upload statuses (records.h), as the ledger's rows and the
// export carry them.
#include "ledger/records.h"

namespace s5j::ledger {

std::string_view to_string(UploadStatus status) {
  switch (status) {
    case UploadStatus::active: return "active";
    case UploadStatus::completed: return "completed";
    case UploadStatus::aborted: return "aborted";
    case UploadStatus::abandoned: return "abandoned";
  }
  return "unknown";
}

std::optional<UploadStatus> parse_upload_status(std::string_view text) {
  for (UploadStatus s : {UploadStatus::active, UploadStatus::completed, UploadStatus::aborted, UploadStatus::abandoned}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace s5j::ledger
