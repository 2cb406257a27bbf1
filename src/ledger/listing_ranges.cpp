#include "ledger/listing_ranges.h"

namespace s5j::ledger {

Result<RangePageCommit> ListingRanges::commit_range_page(RangeId range, std::span<const ListedObject> objects,
                                                         bool last_page, std::chrono::milliseconds lease) {
  RangePage page{range, {objects.begin(), objects.end()}, last_page};
  auto done = commit_range_pages(std::span<const RangePage>(&page, 1), lease);
  if (!done) return std::unexpected(done.error());
  return std::move(done->front());
}

bool can_split_at(const ListingRange& r, std::string_view at) {
  return !r.done && r.cursor < at && (!r.through || at < *r.through);
}

std::span<const ListedObject> objects_inside(const ListingRange& r, std::span<const ListedObject> objects) {
  size_t first = 0;
  while (first < objects.size() && !(std::string_view(r.cursor) < objects[first].key)) ++first;
  size_t end = first;
  while (end < objects.size() && (!r.through || !(std::string_view(*r.through) < objects[end].key))) ++end;
  return objects.subspan(first, end - first);
}

}  // namespace s5j::ledger
