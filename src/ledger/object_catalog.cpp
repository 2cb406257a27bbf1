#include "ledger/object_catalog.h"

namespace s5j::ledger {

Status for_each_object(ObjectCatalog& catalog, JobId job, const std::function<Status(const ObjectRecord&)>& fn,
                       size_t page_size) {
  ListQuery q;
  q.limit = page_size == 0 ? 1000 : page_size;
  for (;;) {
    auto page = catalog.list_objects(job, q);
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
