#include "ledger/ledger.h"

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

Status for_each_object(Ledger& ledger, JobId job, const std::function<Status(const ObjectRecord&)>& fn,
                       size_t page_size) {
  ListQuery q;
  q.limit = page_size == 0 ? 1000 : page_size;
  for (;;) {
    auto page = ledger.list_objects(job, q);
    if (!page) return std::unexpected(page.error());
    for (const ObjectRecord& r : *page) {
      if (auto st = fn(r); !st) return st;
    }
    // Paging by key (not offset) stays correct while others insert.
    if (page->size() < q.limit) return {};
    q.after_key = page->back().key;
  }
}

}  // namespace s5j::ledger
