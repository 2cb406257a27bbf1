#include "transfer/destination_matcher.h"

#include <algorithm>

#include "checksum/multipart_etag.h"
#include "s3/s3_error_codes.h"
#include "transfer/key_mapping.h"
#include "transfer/key_order.h"

namespace s5j::transfer {

DestinationMatcher::DestinationMatcher(DestinationMatchSettings settings, s3::S3Client& destination,
                                       ledger::ObjectCatalog& catalog, ledger::JobId job, log::EventLog& events)
    : settings_(std::move(settings)), destination_(destination), catalog_(catalog), job_(job), events_(events) {}

std::string DestinationMatcher::destination_key(const std::string& source_key) const {
  return destination_key_for(settings_.source_prefix, settings_.destination_prefix, source_key);
}

Status DestinationMatcher::RangeMatch::skip_known(std::vector<ledger::ListedObject>& page,
                                                  const std::string& previous, std::vector<bool>& compare) {
  // The ledger's records over the page's keys, in key order, merged with it.
  ledger::ListQuery query{.limit = std::max<size_t>(page.size(), 64)};
  if (!previous.empty()) query.after_key = previous;
  size_t i = 0;
  while (i < page.size()) {
    auto records = matcher_.catalog_.list_objects(matcher_.job_, query);
    if (!records) return std::unexpected(records.error());
    for (const auto& r : *records) {
      while (i < page.size() && key_less(page[i].key, r.key)) ++i;
      if (i == page.size()) break;
      if (page[i].key != r.key) continue;
      compare[i] = r.size != page[i].size || r.source_etag != page[i].etag || r.state == ledger::ObjectState::vanished;
      ++i;
    }
    if (records->size() < query.limit) break;  // no more records
    query.after_key = records->back().key;
  }
  return {};
}

Status DestinationMatcher::RangeMatch::mark(std::vector<ledger::ListedObject>& page, const std::string& previous) {
  if (page.empty() || matcher_.unsorted_.load()) return {};
  std::vector<bool> compare(page.size(), true);
  if (matcher_.settings_.read_ledger)
    if (auto st = skip_known(page, previous, compare); !st) return st;
  const std::string& prefix = matcher_.settings_.source_prefix;
  for (size_t i = 0; i < page.size(); ++i) {
    if (!compare[i]) continue;
    ledger::ListedObject& o = page[i];
    // Destination keys after the source key before this one may be it; a
    // key outside the source prefix maps out of order: list from the start.
    const std::string& before = i == 0 ? previous : page[i - 1].key;
    const std::string lower = before.starts_with(prefix) && !before.empty() ? matcher_.destination_key(before) : "";
    const std::string key = matcher_.destination_key(o.key);
    auto found = seek(key, lower);
    if (!found) {
      if (found.error().code != s3::kUnsortedListing) return std::unexpected(found.error());
      if (!matcher_.unsorted_.exchange(true))
        matcher_.events_.emit("destination_unsorted", {{"note", "every object not compared yet will be copied"}});
      return {};
    }
    const s3::ObjectInfo* d = *found;
    if (d == nullptr || d->key != key || d->size != o.size) continue;
    if (checksum::classify_etag(o.etag).kind == checksum::EtagKind::opaque || !checksum::etags_equal(d->etag, o.etag))
      continue;
    o.at_destination = true;
  }
  return {};
}

Result<const s3::ObjectInfo*> DestinationMatcher::RangeMatch::seek(const std::string& key, const std::string& lower) {
  for (;;) {
    while (at_ < fetched_.size() && key_less(fetched_[at_].key, key)) ++at_;
    if (at_ < fetched_.size()) return &fetched_[at_];
    // Nothing fetched reaches `key` (the seeks of a range ascend, so what
    // was fetched began before it): at the end of the destination, none does.
    if (started_ && exhausted_) return nullptr;
    s3::ListRequest request{.bucket = matcher_.settings_.destination_bucket,
                            .prefix = matcher_.settings_.destination_prefix,
                            .max_keys = matcher_.settings_.max_keys};
    // After what was fetched, or further on when the source skipped ahead.
    request.start_after = started_ && key_less(lower, listed_after_) ? listed_after_ : lower;
    auto page = matcher_.destination_.list_objects(request);
    matcher_.requests_.fetch_add(1);
    if (!page) return std::unexpected(page.error());
    std::string last = request.start_after;
    for (const auto& o : page->objects) {
      if (!last.empty() && !key_less(last, o.key))
        return make_error(ErrorKind::permanent, s3::kUnsortedListing, "the destination lists keys out of order");
      last = o.key;
    }
    fetched_ = std::move(page->objects);
    at_ = 0;
    started_ = true;
    listed_after_ = last;
    // A page that is cut short without a key would list the same again.
    exhausted_ = !page->is_truncated || fetched_.empty();
  }
}

}  // namespace s5j::transfer
