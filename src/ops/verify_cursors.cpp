#include "ops/verify_cursors.h"

#include "s3/s3_error_codes.h"

namespace s5j::ops {

ListingCursor::ListingCursor(s3::S3Client& client, std::string bucket, std::string prefix) : client_(client) {
  request_.bucket = std::move(bucket);
  request_.prefix = std::move(prefix);
}

Result<const s3::ObjectInfo*> ListingCursor::seek(const std::string& key) {
  for (;;) {
    while (at_ < page_.size() && page_[at_].key < key) ++at_;
    if (at_ < page_.size()) return &page_[at_];
    if (!more_) return nullptr;
    auto next = client_.list_objects(request_);
    if (!next) return std::unexpected(next.error());
    page_ = std::move(next->objects);
    at_ = 0;
    for (const auto& o : page_) {
      // The merge is only sound over a sorted listing; S3 promises one, some
      // gateways do not keep the promise.
      if (!last_key_.empty() && o.key < last_key_)
        return make_error(ErrorKind::permanent, s3::kUnsortedListing, "the destination lists keys out of order");
      last_key_ = o.key;
    }
    more_ = next->is_truncated;
    std::string token = client_.using_list_v1() ? next->next_marker : next->next_continuation_token;
    // A listing that does not advance must not loop forever: treat it as
    // unusable for the merge, like an unsorted one.
    if (more_ && (token.empty() || token == last_token_))
      return make_error(ErrorKind::permanent, s3::kUnsortedListing, "the destination listing does not advance");
    last_token_ = token;
    request_.continuation = std::move(token);
  }
}

LedgerCursor::LedgerCursor(ledger::ObjectCatalog& ledger, ledger::JobId job, size_t page_size)
    : ledger_(ledger), job_(job), page_size_(page_size) {}

Result<std::optional<ledger::ObjectRecord>> LedgerCursor::find(const std::string& key) {
  using Out = std::optional<ledger::ObjectRecord>;
  if (highest_ && key < *highest_) return ledger_.find_object(job_, key);  // out of order: ask for it alone
  highest_ = key;
  for (;;) {
    while (at_ < page_.size() && page_[at_].key < key) ++at_;
    if (at_ < page_.size()) return page_[at_].key == key ? Out(page_[at_]) : Out();
    if (!more_) return Out();
    ledger::ListQuery query;
    query.limit = page_size_;
    // The next page in record order: a merge walks the job's records once.
    if (!page_.empty()) query.after_key = page_.back().key;
    auto next = ledger_.list_objects(job_, query);
    if (!next) return std::unexpected(next.error());
    more_ = next->size() == page_size_;
    page_ = std::move(*next);
    at_ = 0;
    if (page_.empty()) return Out();
  }
}

}  // namespace s5j::ops
