#include "ledger/listing_ranges.h"

namespace s5j::ledger {

Result<RangePageCommit> ListingRanges::commit_range_page(RangeId range, std::span<const ListedObject> objects,
                                                         bool last_page, std::chrono::milliseconds lease) {
  RangePage page{range, {objects.begin(), objects.end()}, last_page};
  auto done = commit_range_pages(std::span<const RangePage>(&page, 1), lease);
  if (!done) return std::unexpected(done.error());
  return std::move(done->front());
}

}  // namespace s5j::ledger
