#include "transfer/source_change.h"

#include <span>
#include <vector>

#include "checksum/multipart_etag.h"
#include "s3/s3_error_codes.h"

namespace s5j::transfer {

Result<SourceChange> resolve_source_change(s3::S3Client& source, const std::string& bucket, ledger::Ledger& ledger,
                                           ledger::JobId job, const ledger::ObjectRecord& record,
                                           uint32_t max_changes, const std::string& error_if_unchanged,
                                           const std::string& owner) {
  using V = SourceChange::Verdict;
  SourceChange out;
  auto head = source.head_object(bucket, record.key);
  if (!head) {
    if (head.error().code == s3::kNoSuchKey) {
      out.verdict = V::vanished;
      out.error = "NoSuchKey: deleted at the source";
    } else {
      out.verdict = V::failed;
      out.error = head.error().code + ": " + head.error().message;
    }
    return out;
  }
  if (head->size == record.size && checksum::etags_equal(head->etag, record.source_etag)) {
    out.verdict = V::failed;  // not a new version
    out.error = error_if_unchanged;
    return out;
  }
  if (record.attempts >= max_changes) {
    out.verdict = V::failed;
    out.error = "SourceKeepsChanging: changed during each of " + std::to_string(record.attempts) + " copies";
    return out;
  }
  ledger::ListedObject listed{record.key, head->size, head->etag, head->last_modified};
  auto upserted = ledger.upsert_listed(job, std::span<const ledger::ListedObject>(&listed, 1));
  if (!upserted) return std::unexpected(upserted.error());
  std::vector<ledger::ObjectId> ids{record.id};
  (void)ledger.release(ids, owner);  // claimable again at once, as its new version
  out.verdict = V::relisted;
  out.head = std::move(*head);
  return out;
}

}  // namespace s5j::transfer
