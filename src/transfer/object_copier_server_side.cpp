// ObjectCopier's server-side copy: CopyObject, or UploadPartCopy in the
// source's part layout, within one endpoint; proven by the destination ETag
// equal to the source's. Falls back to streaming when the server refuses.
#include "checksum/multipart_etag.h"
#include "s3/s3_error.h"
#include "transfer/copy_part_plan.h"
#include "transfer/object_copier.h"
#include "transfer/source_proof.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {
namespace {

using Kind = OutcomeKind;
constexpr uint64_t kMaxCopyObjectSize = 5ull << 30;  // CopyObject limit

}  // namespace

ObjectOutcome ObjectCopier::copy_server_side(const ledger::ObjectRecord& record, bool& fall_back) {
  fall_back = false;
  const auto info = checksum::classify_etag(record.source_etag);
  const std::string key = destination_key(record.key);
  auto refused = [&](const Error& e) {
    if (!s3::is_unsupported_operation(e)) return false;
    if (!server_copy_refused_.exchange(true))
      events_.emit("server_copy_refused", {{"code", e.code}, {"status", e.http_status}});
    fall_back = true;
    return true;
  };

  if (info.kind == checksum::EtagKind::plain_md5 && record.size <= kMaxCopyObjectSize) {
    auto copied = destination_.copy_object(settings_.source_bucket, record.key, settings_.destination_bucket, key,
                                           landing_copy_options(settings_.landing, record.source_etag));
    if (!copied) {
      if (refused(copied.error())) return {};
      return ObjectOutcome::from_source_error(copied.error());
    }
    // Some servers (Ceph 16) ignore x-amz-copy-source-if-match: the ETag of
    // the copy is what tells whether the listed version was copied.
    if (!checksum::etags_equal(copied->etag, record.source_etag))
      return ObjectOutcome::of(Kind::changed, kSourceChanged, "the copy has ETag " + copied->etag);
    ObjectOutcome out;
    out.kind = Kind::verified;
    out.method = CopyMethod::server_copy;
    out.update.dest_etag = record.source_etag;
    out.proof = "server-side copy; destination ETag = source ETag";
    return out;
  }
  if (info.kind != checksum::EtagKind::multipart) {
    fall_back = true;  // opaque ETag, or plain and too big for CopyObject: prove by reading
    return {};
  }

  auto head = source_.head_object(settings_.source_bucket, record.key, {.if_match = record.source_etag});
  if (!head) return ObjectOutcome::from_source_error(head.error());
  const auto learned = learn_source_part_size(source_, settings_.source_bucket, record.key, record.size, info);
  auto plan = plan_copy_parts(record.size, info.part_count, learned, settings_.part_size);
  if (!plan || !plan->mirrors_source) {
    fall_back = true;
    return {};
  }
  auto created = destination_.create_multipart_upload(settings_.destination_bucket, key,
                                                      landing_put_options(settings_.landing, head->metadata));
  if (!created) {
    if (refused(created.error())) return {};
    return ObjectOutcome::from_error(created.error());
  }
  auto begun = ledger_.begin_upload({record.id, *created, plan->parts.part_size, plan->parts.part_count});
  if (!begun) {
    (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, *created);
    return ObjectOutcome::from_error(begun.error());
  }
  auto abandon = [&] {
    (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, *created);
    (void)ledger_.queue_upload_end(*begun, ledger::UploadStatus::aborted);
  };
  std::vector<s3::CompletedPart> parts;
  for (uint32_t n = 1; n <= plan->parts.part_count; ++n) {
    const auto range = checksum::part_range(plan->parts, n);
    auto part = destination_.upload_part_copy(settings_.source_bucket, record.key,
                                              {range.offset, range.offset + range.length - 1},
                                              settings_.destination_bucket, key, *created, static_cast<int>(n),
                                              record.source_etag);
    if (!part) {
      // Refused: the upload stays open and recorded for the streamed
      // multipart copy to resume (or replace); an abort queued now would
      // not be durable before that copy reads the ledger.
      if (refused(part.error())) return {};
      abandon();
      return ObjectOutcome::from_source_error(part.error());
    }
    parts.push_back({static_cast<int>(n), part->etag});
  }
  auto completed = destination_.complete_multipart_upload(settings_.destination_bucket, key, *created, parts);
  if (!completed) {
    abandon();
    return ObjectOutcome::from_error(completed.error());
  }
  auto dest = destination_.head_object(settings_.destination_bucket, key);
  if (!dest) return ObjectOutcome::from_error(dest.error());
  if (!checksum::etags_equal(dest->etag, record.source_etag) || dest->size != record.size) {
    (void)ledger_.queue_upload_end(*begun, ledger::UploadStatus::completed);
    if (plan->learned) return ObjectOutcome::of(Kind::changed, kSourceChanged, "the copy has ETag " + dest->etag);
    fall_back = true;  // the inferred part layout was wrong: prove by reading instead
    return {};
  }
  ObjectOutcome out;
  out.kind = Kind::verified;
  out.method = CopyMethod::server_multipart_copy;
  out.update.dest_etag = record.source_etag;
  out.completed_upload = *begun;
  out.proof = "server-side multipart copy; destination ETag = source multipart ETag";
  return out;
}

}  // namespace s5j::transfer
