#include "transfer/object_copier.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "base/strings.h"
#include "checksum/checksum_encoding.h"
#include "checksum/multi_hasher.h"
#include "checksum/multipart_etag.h"
#include "ledger/transition.h"
#include "s3/s3_error.h"
#include "s3/s3_error_codes.h"
#include "transfer/additional_checksums.h"
#include "transfer/copy_part_plan.h"
#include "transfer/key_mapping.h"
#include "transfer/source_proof.h"
#include "transfer/source_stream.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {
namespace {

using Kind = OutcomeKind;
constexpr int kMultipartCopyAttempts = 3;           // a failed proof is redone at most twice
constexpr int kSingleReads = 3;                      // reads of a small object before giving up
constexpr uint64_t kStreamBuffer = 4ull << 20;       // between the GET and the PUT of a streamed copy
// Between a part's ranged GET and its UploadPart: many parts stream at once
// (one per part thread), so each holds little.
constexpr uint64_t kPartStreamBuffer = 256ull << 10;

// The source object is gone or is another version now: an upload of it
// can never complete into the right object.
bool another_version(const ObjectOutcome& out) { return out.kind == Kind::vanished || out.kind == Kind::changed; }

// Proof failures that a fresh copy may cure: a byte flipped on its way from
// the source, or a destination that stored other bytes than were sent.
bool proof_failed(const ObjectOutcome& out) {
  return out.kind == Kind::failed && (out.error_code == ledger::kChecksumMismatch || out.error_code == kDestinationMismatch);
}

// The multipart ETag `data` would have if uploaded in the parts of the
// layout inferred for a source ETag "...-N"; empty when none is inferred.
std::string inferred_multipart_etag(std::string_view data, const checksum::EtagInfo& info, uint64_t part_size) {
  if (info.kind != checksum::EtagKind::multipart) return {};
  auto plan = plan_copy_parts(data.size(), info.part_count, std::nullopt, part_size);
  if (!plan || !plan->mirrors_source) return {};
  std::vector<checksum::Md5Digest> md5s;
  for (uint32_t n = 1; n <= plan->parts.part_count; ++n) {
    const auto range = checksum::part_range(plan->parts, n);
    auto md5 = checksum::md5_of(data.substr(range.offset, range.length));
    if (!md5) return {};
    md5s.push_back(*md5);
  }
  auto etag = checksum::multipart_etag(md5s);
  return etag ? *etag : std::string();
}

Result<checksum::Checksums> hash_all(std::string_view data, s3::ChecksumAlgorithm algorithm) {
  auto hasher = checksum::MultiHasher::create(selection_for(algorithm));
  if (!hasher) return std::unexpected(hasher.error());
  hasher->update(data);
  return hasher->finish();
}

}  // namespace

ObjectCopier::ObjectCopier(CopierSettings settings, s3::S3Client& source, s3::S3Client& destination,
                           ledger::TransitionQueue& ledger, ByteBudget& budget, WorkerPool& part_pool, log::EventLog& events)
    : settings_(std::move(settings)),
      source_(source),
      destination_(destination),
      ledger_(ledger),
      budget_(budget),
      part_pool_(part_pool),
      events_(events),
      uploader_(destination, ledger, budget, part_pool, events, settings_.landing.etags_are_md5()) {}

std::string ObjectCopier::destination_key(const std::string& source_key) const {
  return transfer::destination_key_for(settings_.source_prefix, settings_.destination_prefix, source_key);
}

ObjectOutcome ObjectCopier::copy(const ledger::ObjectRecord& record) {
  // Under SSE-KMS the copy's ETag, its only proof, is no MD5: stream instead.
  if (settings_.server_side_copy && !server_copy_refused_.load() && settings_.landing.etags_are_md5()) {
    bool fall_back = false;
    ObjectOutcome out = copy_server_side(record, fall_back);
    if (!fall_back) return out;
  }
  const bool plain_md5 = checksum::classify_etag(record.source_etag).kind == checksum::EtagKind::plain_md5;
  switch (choose_put_shape(record.size, settings_.part_size, settings_.multipart_threshold, plain_md5)) {
    case PutShape::single:
      return copy_single(record);  // re-reads on its own
    case PutShape::streamed: {
      bool fall_back = false;  // set when SSE makes the ETag no MD5: multipart then
      ObjectOutcome out = copy_streamed(record, fall_back);
      if (!fall_back) return out;
      break;
    }
    case PutShape::multipart:
      break;
  }
  // A multipart copy whose proof fails is abandoned and done again from
  // scratch, every part read again (bounded: kMultipartCopyAttempts): a byte
  // flipped in transit must not fail the object for this run, a corrupt
  // source must not pass.
  ObjectOutcome out;
  uint64_t uploaded = 0, downloaded = 0;
  for (int attempt = 1; attempt <= kMultipartCopyAttempts; ++attempt) {
    out = copy_multipart(record, attempt > 1);
    uploaded += out.bytes_uploaded;
    downloaded += out.bytes_downloaded;
    if (!proof_failed(out) || attempt == kMultipartCopyAttempts) break;
    events_.emit("object_retried", {{"key", record.key}, {"code", out.error_code}, {"attempt", attempt},
                                    {"error", out.update.error.value_or("")}});
  }
  out.bytes_uploaded = uploaded;
  out.bytes_downloaded = downloaded;
  return out;
}

// ------------------------------------------------------------ single PUT

ObjectOutcome ObjectCopier::copy_single(const ledger::ObjectRecord& record) {
  if (!budget_.acquire(record.size)) return ObjectOutcome::of(Kind::cancelled, kCancelled, "stopping");
  BudgetLease lease(&budget_, record.size);
  std::string buffer;
  buffer.reserve(record.size);
  ObjectOutcome out;
  std::optional<s3::ObjectHead> head;
  std::optional<checksum::Checksums> sums;
  std::optional<checksum::Md5Digest> first_read;  // MD5 of a read the source ETag could not prove
  std::string proof;
  // Bytes that do not match a plain-MD5 ETag are read again (up to
  // kSingleReads reads) before it is called a failure: a flipped byte in
  // transit must not fail the object, a corrupt source must not pass. A
  // source ETag that proves nothing (multipart of an unguessable layout,
  // SSE) needs two reads that agree, else one flipped byte would pass unseen.
  for (int attempt = 1; attempt <= kSingleReads; ++attempt) {
    buffer.clear();
    auto got = source_.get_object(settings_.source_bucket, record.key,
                                  {.if_match = record.source_etag, .expected_size = record.size},
                                  [&](std::string_view chunk) -> Status {
                                    buffer.append(chunk);
                                    return {};
                                  });
    if (!got) return ObjectOutcome::from_source_error(got.error());
    out.bytes_downloaded += buffer.size();
    if (buffer.size() != record.size)
      return ObjectOutcome::of(
          Kind::changed, kSizeChanged,
          "read " + std::to_string(buffer.size()) + " bytes, listed " + std::to_string(record.size));
    auto hashed = hash_all(buffer, settings_.checksum_algorithm);
    if (!hashed) return ObjectOutcome::from_error(hashed.error());
    head = std::move(*got);
    sums = *hashed;
    const auto info = source_etag_info(record.source_etag, head->raw_headers);
    const bool plain = info.kind == checksum::EtagKind::plain_md5;
    const bool had_read = first_read.has_value();
    if (plain) {
      proof = "source ETag = MD5 of bytes read";
      if (sums->md5 == info.digest) break;
    } else if (checksum::etags_equal(inferred_multipart_etag(buffer, info, settings_.part_size), record.source_etag)) {
      proof = "source multipart ETag reproduced from the bytes read";
      break;
    } else if (had_read && *first_read == *sums->md5) {
      proof = "two reads agree (MD5, CRC32C of bytes read)";
      break;
    }
    first_read = *sums->md5;
    if (attempt == kSingleReads)
      return ObjectOutcome::of(Kind::failed, ledger::kChecksumMismatch,
                               plain ? "the MD5 of the bytes read differs from the source ETag " + record.source_etag +
                                           " (read " + std::to_string(kSingleReads) + " times)"
                                     : std::to_string(kSingleReads) + " reads of the object gave different bytes");
    // "mismatch": what was read is known wrong; "unproven": a second read
    // is the proof for a source ETag that proves nothing.
    events_.emit("object_reread", {{"key", record.key}, {"reason", plain || had_read ? "mismatch" : "unproven"}});
  }
  s3::BodySource body{.size = buffer.size(),
                      .data = buffer,
                      .content_md5 = sums->content_md5(),
                      .checksum = additional_checksum(settings_.checksum_algorithm, *sums)};
  const s3::PutOptions put_options = landing_put_options(settings_.landing, head->metadata);
  const std::string key = destination_key(record.key);
  auto etag = destination_.put_object(settings_.destination_bucket, key, body, put_options);
  if (!etag) return ObjectOutcome::from_error(etag.error());
  out.kind = Kind::verified;
  out.method = CopyMethod::put;
  out.bytes_uploaded = buffer.size();
  out.update.md5 = sums->md5;
  out.update.crc32c = sums->crc32c;
  out.update.crc64nvme = sums->crc64nvme;
  out.update.dest_etag = *etag;
  out.proof = proof;
  out.proof += settings_.landing.etags_are_md5() && checksum::etag_matches_md5(*etag, *sums->md5)
                   ? "; destination ETag = MD5"
                   : "; destination verified Content-MD5";
  return out;
}

// ------------------------------------------------------------ streamed PUT

ObjectOutcome ObjectCopier::copy_streamed(const ledger::ObjectRecord& record, bool& fall_back) {
  fall_back = false;
  auto head = source_.head_object(settings_.source_bucket, record.key, {.if_match = record.source_etag});
  if (!head) return ObjectOutcome::from_source_error(head.error());
  if (head->size != record.size)
    return ObjectOutcome::of(Kind::changed, kSizeChanged, "source is now " + std::to_string(head->size) + " bytes");
  const auto info = source_etag_info(record.source_etag, head->raw_headers);
  if (info.kind != checksum::EtagKind::plain_md5) {
    fall_back = true;  // SSE: the ETag is not the MD5 of the bytes
    return {};
  }
  const uint64_t buffer_bytes = std::min(record.size, kStreamBuffer);
  if (!budget_.acquire(buffer_bytes)) return ObjectOutcome::of(Kind::cancelled, kCancelled, "stopping");
  BudgetLease lease(&budget_, buffer_bytes);

  // Every attempt of the PUT reads the source again: a BadDigest (a byte
  // flipped on either leg) is retried with fresh bytes.
  ObjectOutcome out;
  int reads = 0;
  std::shared_ptr<SourceStream> stream;
  auto end_stream = [&] {
    if (!stream) return;
    out.bytes_downloaded += stream->bytes_downloaded();
    out.bytes_uploaded += stream->bytes_read();
    stream.reset();  // ends the GET before the next one starts
  };
  s3::BodySource body{.size = record.size,
                      .open =
                          [&]() -> http::BodyReader {
                            end_stream();
                            if (++reads > 1)
                              events_.emit("object_reread", {{"key", record.key}, {"reason", "put_retried"}});
                            stream = std::make_shared<SourceStream>(source_, settings_.source_bucket, record.key,
                                                                    record.source_etag, record.size, buffer_bytes);
                            if (settings_.checksum_algorithm == s3::ChecksumAlgorithm::crc64nvme)
                              stream->want_crc64nvme();
                            return [s = stream](char* data, size_t capacity) { return s->read(data, capacity); };
                          },
                      .content_md5 = checksum::md5_base64(*info.digest)};
  auto etag = destination_.put_object(settings_.destination_bucket, destination_key(record.key), body,
                                      landing_put_options(settings_.landing, head->metadata));
  const uint32_t crc = stream ? stream->crc32c() : 0;
  // Not sent (known only after the last byte) but recorded: AWS keeps a
  // CRC-64/NVME of every object, which verify can then compare with it.
  const std::optional<uint64_t> crc64 = stream ? stream->crc64nvme() : std::nullopt;
  end_stream();
  out.method = CopyMethod::streamed_put;
  if (!etag) {
    const Error& e = etag.error();
    if (e.code == s3::kBadDigest)
      return with_progress(
          ObjectOutcome::of(Kind::failed, ledger::kChecksumMismatch,
                            "the destination refused the bytes read " + std::to_string(reads) +
                                " times: their MD5 differs from the source ETag " + record.source_etag +
                                " (the source object does not read as it was written: check it at the"
                                " source; the next run tries it again)"),
          out);
    return with_progress(ObjectOutcome::from_source_error(e), out);
  }
  // A plain-MD5 destination ETag is the server's MD5 of what it stored: it
  // must be the source's (a server that ignored Content-MD5 shows here).
  const bool etag_is_md5 = settings_.landing.etags_are_md5() && checksum::is_plain_md5_etag(*etag);
  if (etag_is_md5 && !checksum::etag_matches_md5(*etag, *info.digest)) {
    return with_progress(
        ObjectOutcome::of(Kind::failed, kDestinationMismatch,
                          "the destination stored ETag " + *etag + ", the source has " + record.source_etag),
        out);
  }
  out.kind = Kind::verified;
  out.update.md5 = *info.digest;
  out.update.crc32c = crc;
  out.update.crc64nvme = crc64;
  out.update.dest_etag = *etag;
  out.proof = etag_is_md5
                  ? "destination checked the source's MD5 (Content-MD5); destination ETag = source ETag"
                  : "destination checked the source's MD5 (Content-MD5)";
  return out;
}

// ------------------------------------------------------------ multipart

ObjectOutcome ObjectCopier::copy_multipart(const ledger::ObjectRecord& record, bool fresh) {
  auto head = source_.head_object(settings_.source_bucket, record.key, {.if_match = record.source_etag});
  if (!head) return ObjectOutcome::from_source_error(head.error());
  if (head->size != record.size)
    return ObjectOutcome::of(Kind::changed, kSizeChanged, "source is now " + std::to_string(head->size) + " bytes");
  const auto info = source_etag_info(record.source_etag, head->raw_headers);
  const auto learned = learn_source_part_size(source_, settings_.source_bucket, record.key, record.size, info);
  checksum::PartLimits limits;
  limits.quirk_max_part_size = settings_.destination_max_part_size;
  auto plan = plan_copy_parts(record.size, info.kind == checksum::EtagKind::multipart ? info.part_count : 0, learned,
                              settings_.part_size, limits);
  if (!plan) return ObjectOutcome::from_error(plan.error());
  const bool need_md5 = info.kind == checksum::EtagKind::plain_md5;
  const std::string key = destination_key(record.key);

  s3::PutOptions create_options = landing_put_options(settings_.landing, head->metadata);
  create_options.checksum_algorithm = settings_.checksum_algorithm;
  auto session = fresh ? open_fresh_upload(record, key, plan->parts, create_options)
                       : uploader_.open(record, settings_.destination_bucket, key, plan->parts, create_options);
  if (!session) return ObjectOutcome::from_error(session.error());
  // Parts come from ranged GETs pinned to the listed version.
  const PartReader read_source = [&](uint32_t n, const checksum::PartRange& range, std::string& buffer) -> Status {
    auto got = source_.get_object(
        settings_.source_bucket, record.key,
        {.range = s3::ByteRange{range.offset, range.offset + range.length - 1}, .if_match = record.source_etag},
        [&](std::string_view chunk) -> Status {
          buffer.append(chunk);
          return {};
        });
    if (!got) return std::unexpected(got.error());
    if (buffer.size() != range.length)
      return make_error(ErrorKind::permanent, kSizeChanged, "part " + std::to_string(n) + " came short");
    return {};
  };
  ObjectOutcome out;
  out.method = CopyMethod::multipart;
  PartsOutcome parts;
  // Every part was streamed (the destination's ETag its only MD5) and then
  // compared with a second, hashed read: "two reads agree" when none had to
  // be sent again.
  bool rechecked_every_part = false;
  auto count_progress = [&](const PartsOutcome& p) {
    out.bytes_uploaded += p.uploaded;
    out.bytes_downloaded += p.read;
  };
  // Streamed parts are proven by the destination's part ETags: not under SSE-KMS.
  if (info.kind == checksum::EtagKind::multipart && plan->mirrors_source && settings_.landing.etags_are_md5()) {
    // The source's own parts: stream them, hash nothing here; the
    // destination's part ETags, combined, must give the source's ETag.
    const PartStreamOpener open_stream = [&](const checksum::PartRange& range, size_t buffer_bytes) {
      return std::make_unique<SourceStream>(source_, settings_.source_bucket, record.key, record.source_etag,
                                            range.length, buffer_bytes,
                                            s3::ByteRange{range.offset, range.offset + range.length - 1});
    };
    parts = uploader_.stream_parts(*session, record, kPartStreamBuffer, open_stream);
    count_progress(parts);
    std::optional<std::string> combined;
    if (!parts.error && !parts.upload_gone) combined = MultipartUploader::parts_etag(parts);
    if (combined && checksum::etags_equal(*combined, record.source_etag)) {
      out.proof = "the destination's part ETags (its MD5s of the bytes it stored) combine into the source's "
                  "multipart ETag";
    } else if (!parts.error) {
      // Find the bad parts: every part read again and hashed here; a part
      // whose destination ETag is the MD5 of this read is kept, any other
      // sent again (Content-MD5). Then the proof of a hashed copy below.
      events_.emit("parts_rechecked",
                   {{"key", record.key},
                    {"reason", parts.upload_gone ? "upload_gone"
                               : combined       ? "etag_mismatch"
                                                : "part_etag_not_md5"},
                    {"destination_etag", combined.value_or("")}});
      const bool gone = parts.upload_gone;
      const bool every_part_streamed = std::all_of(parts.parts.begin(), parts.parts.end(), [](const PartDigest& p) {
        return p.md5_origin == Md5Origin::destination_etag;
      });
      parts = uploader_.upload_parts(MultipartUploader::with_parts_done(*session, parts), record, false, read_source);
      parts.upload_gone = parts.upload_gone || gone;
      count_progress(parts);
      rechecked_every_part = every_part_streamed && !parts.upload_gone;
    }
  } else {
    parts = uploader_.upload_parts(*session, record, need_md5, read_source);
    count_progress(parts);
  }

  if (parts.error) {
    const Error& e = *parts.error;
    ObjectOutcome bad = with_progress(ObjectOutcome::from_source_error(e), out);
    if (another_version(bad) || e.code == s3::kNoSuchUpload || e.code == ledger::kChecksumMismatch ||
        e.code == kDestinationMismatch) {
      uploader_.abandon(*session);  // this upload can never complete into the right object
    }
    // Otherwise the upload stays active in the ledger and resumes next run.
    return bad;
  }

  // Prove the bytes read before completing: a corrupt read must never
  // become an object at the destination.
  auto unproven = [&](std::string code, std::string message) {
    uploader_.abandon(*session);
    return with_progress(ObjectOutcome::of(Kind::failed, std::move(code), std::move(message)), out);
  };
  if (!out.proof.empty()) {
    // Proven by the destination's part ETags.
  } else if (need_md5) {
    if (parts.whole_md5 != info.digest)
      return unproven(ledger::kChecksumMismatch, "the MD5 of the bytes read differs from the source ETag " + record.source_etag);
    out.update.md5 = *parts.whole_md5;
    out.proof = "source ETag = MD5 of bytes read";
  } else {
    std::vector<checksum::Md5Digest> md5s;
    for (const auto& p : parts.parts) md5s.push_back(p.md5);
    auto rebuilt = checksum::multipart_etag(md5s);
    if (!rebuilt) return ObjectOutcome::from_error(rebuilt.error());
    if (info.kind == checksum::EtagKind::multipart && plan->mirrors_source) {
      auto proof = prove_multipart_layout(*plan, *rebuilt, record.source_etag);
      if (!proof) return unproven(proof.error().code, proof.error().message);
      if (checksum::etags_equal(*rebuilt, record.source_etag)) out.proof = *proof;
    }
    if (out.proof.empty() && rechecked_every_part && parts.uploaded == 0)
      out.proof = "two reads agree (the destination's part ETags of the first read = part MD5s of a second read)";
    if (out.proof.empty()) {
      // The source ETag proves nothing here (guessed layout that did not
      // reproduce it, opaque ETag): a second read of every part must agree,
      // else one flipped byte would pass unseen.
      for (uint32_t n = 1; n <= session->parts.part_count; ++n) {
        const auto range = checksum::part_range(session->parts, n);
        if (!budget_.acquire(range.length)) return ObjectOutcome::of(Kind::cancelled, kCancelled, "stopping");
        BudgetLease lease(&budget_, range.length);
        std::string buffer;
        buffer.reserve(range.length);
        auto got = read_source(n, range, buffer);
        out.bytes_downloaded += buffer.size();
        if (!got) {
          ObjectOutcome bad = with_progress(ObjectOutcome::from_source_error(got.error()), out);
          if (another_version(bad)) uploader_.abandon(*session);
          return bad;  // a plain failure keeps the upload recorded: the next run resumes it
        }
        auto md5 = checksum::md5_of(buffer);
        if (!md5 || *md5 != parts.parts[n - 1].md5)
          return unproven(ledger::kChecksumMismatch, "part " + std::to_string(n) + " reads differently on a second read");
      }
      out.proof = "two reads agree (part MD5s of bytes read)";
    }
  }

  auto done = uploader_.complete(*session, parts, record.size);
  if (!done) {
    if (done.error().code == s3::kNoSuchUpload) uploader_.abandon(*session);
    // A part the destination acknowledged is not there (or not with that
    // ETag): this upload cannot complete; a fresh one may.
    if (done.error().code == s3::kInvalidPart) {
      uploader_.abandon(*session);
      return with_progress(ObjectOutcome::of(Kind::failed, kDestinationMismatch,
                                             "the destination does not hold every part it acknowledged (" +
                                                 done.error().message + ")"),
                           out);
    }
    // Completed, but not into the bytes sent: the upload is over either way.
    if (done.error().code == kDestinationMismatch)
      (void)ledger_.queue_upload_end(session->ref, ledger::UploadStatus::completed);
    return with_progress(ObjectOutcome::from_error(done.error()), out);
  }
  out.proof += settings_.landing.etags_are_md5() ? "; destination confirmed every part's MD5 and the object's ETag"
                                                 : "; destination checked every part's Content-MD5";
  out.kind = Kind::verified;
  out.update.crc32c = done->crc32c;
  out.update.crc64nvme = done->crc64nvme;
  out.update.dest_etag = done->dest_etag;
  out.completed_upload = session->ref;
  return out;
}

// A new upload even when the ledger still shows an earlier one active (its
// abort may be queued, not yet committed): begin_upload commits the queue.
Result<UploadSession> ObjectCopier::open_fresh_upload(const ledger::ObjectRecord& record, const std::string& key,
                                                      const checksum::PartPlan& parts, const s3::PutOptions& options) {
  UploadSession session{.bucket = settings_.destination_bucket, .key = key, .parts = parts};
  auto created = destination_.create_multipart_upload(session.bucket, key, options);
  if (!created) return std::unexpected(created.error());
  session.upload_id = *created;
  auto begun = ledger_.begin_upload({record.id, session.upload_id, parts.part_size, parts.part_count});
  if (!begun) {
    (void)destination_.abort_multipart_upload(session.bucket, key, session.upload_id);
    return std::unexpected(begun.error());
  }
  session.ref = *begun;
  return session;
}

}  // namespace s5j::transfer
