#include "transfer/multipart_uploader.h"

#include <memory>
#include <mutex>

#include "checksum/crc32c.h"
#include "checksum/crc64nvme.h"
#include "checksum/multi_hasher.h"
#include "checksum/multipart_etag.h"
#include "ledger/transition.h"
#include "s3/s3_error_codes.h"
#include "transfer/additional_checksums.h"
#include "transfer/ordered_hasher.h"
#include "transfer/parts_run.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {

Result<UploadSession> MultipartUploader::open(const ledger::ObjectRecord& record, const std::string& bucket,
                                              const std::string& key, const checksum::PartPlan& parts,
                                              const s3::PutOptions& create_options) {
  UploadSession session;
  session.bucket = bucket;
  session.key = key;
  session.parts = parts;
  session.checksum_algorithm = create_options.checksum_algorithm;
  // Resume the upload the ledger knows, if its layout is the one we want.
  auto progress = ledger_.active_upload(record.id);
  if (!progress) return std::unexpected(progress.error());
  if (*progress) {
    const auto& up = (*progress)->upload;
    if (up.part_size == parts.part_size && up.part_count == parts.part_count) {
      session.ref = up.ref;
      session.upload_id = up.upload_id;
      session.resumed = true;
      for (const auto& p : (*progress)->parts) session.done[p.part_number] = p;
      events_.emit("upload_resumed",
                   {{"key", record.key}, {"upload_id", session.upload_id}, {"parts_done", session.done.size()}});
      return session;
    }
    (void)destination_.abort_multipart_upload(bucket, key, up.upload_id);
    (void)ledger_.queue_upload_end(up.ref, ledger::UploadStatus::aborted);
  }
  auto created = destination_.create_multipart_upload(bucket, key, create_options);
  if (!created) return std::unexpected(created.error());
  session.upload_id = *created;
  // Durable before any part is sent: a crash can never orphan the upload.
  auto begun = ledger_.begin_upload({record.id, session.upload_id, parts.part_size, parts.part_count});
  if (!begun) {
    (void)destination_.abort_multipart_upload(bucket, key, session.upload_id);
    return std::unexpected(begun.error());
  }
  session.ref = *begun;
  return session;
}

void MultipartUploader::abandon(const UploadSession& session) {
  (void)destination_.abort_multipart_upload(session.bucket, session.key, session.upload_id);
  (void)ledger_.queue_upload_end(session.ref, ledger::UploadStatus::aborted);
}

PartsOutcome MultipartUploader::upload_parts(const UploadSession& session, const ledger::ObjectRecord& record,
                                             bool whole_md5, const PartReader& read) {
  const uint32_t count = session.parts.part_count;
  auto shared = std::make_shared<PartsRun>(count);
  // Each part is hashed in order into the whole-object MD5 when asked for.
  std::shared_ptr<OrderedHasher> whole_hasher;
  if (whole_md5) {
    auto md5 = checksum::Md5::create();
    if (!md5) {
      PartsOutcome out;
      out.error = md5.error();
      return out;
    }
    whole_hasher = std::make_shared<OrderedHasher>(std::move(*md5));
  }
  auto fail = [shared, whole_hasher](Error e) {
    shared->fail(std::move(e));
    if (whole_hasher) whole_hasher->abandon();
  };

  for (uint32_t n = 1; n <= count && !shared->failed; ++n) {
    const auto range = checksum::part_range(session.parts, n);
    std::optional<ledger::PartRecord> recorded;
    if (auto it = session.done.find(n); it != session.done.end()) recorded = it->second;
    const bool crc64_wanted = session.checksum_algorithm == s3::ChecksumAlgorithm::crc64nvme;
    if (recorded && !whole_md5 && !crc64_wanted && recorded->md5 && recorded->crc32c &&
        recorded->size == range.length) {
      // Sent by this algorithm's run before the restart, its checksum too.
      const bool sent = session.checksum_algorithm != s3::ChecksumAlgorithm::none;
      shared->results[n - 1] = {*recorded->md5, Md5Origin::read_here, *recorded->crc32c, recorded->etag, {}, sent};
      continue;  // uploaded before the restart: nothing to send or read
    }
    if (!budget_.acquire(range.length)) {
      fail(Error{ErrorKind::retryable, kCancelled, "stopping"});
      break;
    }
    auto lease = std::make_shared<BudgetLease>(&budget_, range.length);
    shared->group.add();
    part_pool_.submit([this, shared, whole_hasher, fail, lease, range, n, recorded, &session, &record, &read] {
      PartsRun::PartDone done_guard{*shared};
      if (shared->failed) return;
      std::string buffer;
      buffer.reserve(range.length);
      auto got = read(n, range, buffer);
      shared->read += buffer.size();
      if (!got) return fail(got.error());
      auto hasher = checksum::MultiHasher::create(selection_for(session.checksum_algorithm));
      if (!hasher) return fail(hasher.error());
      hasher->update(buffer);
      const std::optional<checksum::Checksums> sums = hasher->finish();
      if (whole_hasher && !whole_hasher->hash_in_turn(n, buffer)) return;
      if (recorded && recorded->md5) {
        // Uploaded before the restart; read again only for the whole MD5.
        if (*recorded->md5 != *sums->md5)
          return fail(Error{ErrorKind::permanent, ledger::kChecksumMismatch,
                            "part " + std::to_string(n) + " reads differently from when it was uploaded"});
        shared->results[n - 1] = {*sums->md5, Md5Origin::read_here, *sums->crc32c, recorded->etag, sums->crc64nvme,
                                  session.checksum_algorithm != s3::ChecksumAlgorithm::none};
        return;
      }
      // Streamed (no MD5 computed then): the destination's ETag is its MD5
      // of what it stored. Equal to the MD5 of this read, the part is good;
      // otherwise one of the two reads or the upload was bad: send it again.
      if (recorded && checksum::etag_matches_md5(recorded->etag, *sums->md5)) {
        shared->results[n - 1] = {*sums->md5, Md5Origin::read_here, *sums->crc32c, recorded->etag};
        return;
      }
      if (shared->upload_gone) {
        shared->results[n - 1] = {*sums->md5, Md5Origin::read_here, *sums->crc32c, ""};
        return;
      }
      s3::BodySource body{.size = buffer.size(),
                          .data = buffer,
                          .content_md5 = sums->content_md5(),
                          .checksum = additional_checksum(session.checksum_algorithm, *sums)};
      auto etag = destination_.upload_part(session.bucket, session.key, session.upload_id, static_cast<int>(n), body);
      if (!etag && etag.error().code == s3::kNoSuchUpload && session.resumed) {
        // Killed after Complete succeeded but before the ledger heard: the
        // upload is gone and the object may be whole at the destination.
        // Hash the rest so complete() can check it against these parts.
        shared->upload_gone = true;
        shared->results[n - 1] = {*sums->md5, Md5Origin::read_here, *sums->crc32c, ""};
        return;
      }
      if (!etag) return fail(etag.error());
      if (etags_are_md5_ && checksum::is_plain_md5_etag(*etag) && !checksum::etag_matches_md5(*etag, *sums->md5))
        return fail(Error{ErrorKind::retryable, kDestinationMismatch,
                          "part " + std::to_string(n) + ": the destination stored other bytes than were sent"});
      shared->uploaded += buffer.size();
      shared->results[n - 1] = {*sums->md5,    Md5Origin::read_here, *sums->crc32c, *etag, sums->crc64nvme,
                                !body.checksum.empty() && destination_.honours_additional_checksums()};
      ledger::PartRecord part{n, range.offset, range.length, *etag, sums->md5, sums->crc32c};
      if (auto q = ledger_.queue_part(session.ref, part); !q) return fail(q.error());
      events_.emit("part_done", {{"key", record.key}, {"part", n}, {"bytes", range.length}});
    });
  }
  shared->group.wait();

  PartsOutcome out = shared->outcome();
  if (!out.error && whole_hasher) {
    out.whole_md5 = whole_hasher->finish(count);
    if (!out.whole_md5) out.error = Error{ErrorKind::permanent, ledger::kChecksumMismatch, "the whole-object MD5 is missing"};
  }
  return out;
}

Result<CompletedUpload> MultipartUploader::complete(const UploadSession& session, const PartsOutcome& parts,
                                                    uint64_t size) {
  const uint32_t count = session.parts.part_count;
  std::vector<s3::CompletedPart> completed_parts;
  std::vector<checksum::Md5Digest> md5s;
  completed_parts.reserve(count);
  for (uint32_t n = 1; n <= count; ++n) {
    const PartDigest& p = parts.parts[n - 1];
    s3::AdditionalChecksum sent;
    if (p.checksum_sent) sent = additional_checksum(session.checksum_algorithm, p.crc32c, p.crc64nvme);
    completed_parts.push_back({static_cast<int>(n), p.etag, sent});
    md5s.push_back(p.md5);
  }
  const uint32_t whole_crc32c = combined_crc32c(session, parts);
  const std::optional<uint64_t> whole_crc64nvme = combined_crc64nvme(session, parts);
  // The whole object's checksum: the destination checks it against the CRC
  // of the parts it stored (FULL_OBJECT), streamed parts included.
  const s3::AdditionalChecksum whole =
      session.resumed ? s3::AdditionalChecksum{}  // created by an earlier run, perhaps without checksums
                      : additional_checksum(session.checksum_algorithm, whole_crc32c, whole_crc64nvme);
  auto expected = checksum::multipart_etag(md5s);
  if (!expected) return std::unexpected(expected.error());
  auto completed =
      parts.upload_gone
          ? Result<s3::CompleteMultipartResult>(make_error(ErrorKind::permanent, s3::kNoSuchUpload,
                                                  "upload " + session.upload_id + " of " + session.key + " is gone"))
          : destination_.complete_multipart_upload(session.bucket, session.key, session.upload_id, completed_parts,
                                                   whole);
  if (!completed) {
    // A resumed upload whose Complete had succeeded before a crash (the
    // ledger never heard of it) is gone: the object it made, with exactly
    // the ETag these parts imply, is the proof it completed.
    if (completed.error().code != s3::kNoSuchUpload || !session.resumed) return std::unexpected(completed.error());
    auto found = destination_.head_object(session.bucket, session.key);
    if (!found || found->size != size || !checksum::etags_equal(found->etag, *expected))
      return std::unexpected(completed.error());
    events_.emit("upload_found_complete", {{"key", session.key}, {"upload_id", session.upload_id}});
  }
  // Ceph 16 answers Complete with an empty ETag: HEAD gives the real one.
  auto dest = destination_.head_object(session.bucket, session.key);
  if (!dest) return std::unexpected(dest.error());
  const bool etag_differs =
      etags_are_md5_ && checksum::is_multipart_etag(dest->etag) && !checksum::etags_equal(dest->etag, *expected);
  if (dest->size != size || etag_differs)
    return make_error(ErrorKind::permanent, kDestinationMismatch,
                      "destination holds " + std::to_string(dest->size) + " bytes, ETag " + dest->etag +
                          ", expected " + std::to_string(size) + " bytes, ETag " + *expected);
  CompletedUpload out;
  out.dest_etag = dest->etag;
  out.expected_etag = *expected;
  out.crc32c = whole_crc32c;
  out.crc64nvme = whole_crc64nvme;
  return out;
}

std::optional<std::string> MultipartUploader::parts_etag(const PartsOutcome& parts) {
  std::vector<checksum::Md5Digest> md5s;
  for (const auto& p : parts.parts) {
    if (p.md5_origin == Md5Origin::none || p.etag.empty()) return std::nullopt;
    md5s.push_back(p.md5);
  }
  auto etag = checksum::multipart_etag(md5s);
  return etag ? std::optional<std::string>(*etag) : std::nullopt;
}

UploadSession MultipartUploader::with_parts_done(const UploadSession& session, const PartsOutcome& parts) {
  UploadSession out = session;
  for (uint32_t n = 1; n <= parts.parts.size(); ++n) {
    const PartDigest& p = parts.parts[n - 1];
    if (p.etag.empty()) {  // not uploaded, or its ETag unusable: upload_parts sends it
      out.done.erase(n);
      continue;
    }
    const auto range = checksum::part_range(session.parts, n);
    std::optional<checksum::Md5Digest> md5;
    if (p.md5_origin == Md5Origin::read_here) md5 = p.md5;
    out.done[n] = ledger::PartRecord{n, range.offset, range.length, p.etag, md5, p.crc32c};
  }
  return out;
}

std::optional<uint64_t> MultipartUploader::combined_crc64nvme(const UploadSession& session, const PartsOutcome& parts) {
  if (parts.parts.empty() || !parts.parts[0].crc64nvme) return std::nullopt;
  uint64_t crc = *parts.parts[0].crc64nvme;
  for (uint32_t n = 2; n <= session.parts.part_count; ++n) {
    if (!parts.parts[n - 1].crc64nvme) return std::nullopt;
    crc = checksum::crc64nvme_combine(crc, *parts.parts[n - 1].crc64nvme, checksum::part_range(session.parts, n).length);
  }
  return crc;
}

uint32_t MultipartUploader::combined_crc32c(const UploadSession& session, const PartsOutcome& parts) {
  uint32_t crc = parts.parts[0].crc32c;
  for (uint32_t n = 2; n <= session.parts.part_count; ++n)
    crc = checksum::crc32c_combine(crc, parts.parts[n - 1].crc32c, checksum::part_range(session.parts, n).length);
  return crc;
}

}  // namespace s5j::transfer
