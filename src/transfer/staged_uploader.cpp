#include "transfer/staged_uploader.h"

#include <span>

#include "checksum/checksum_encoding.h"
#include "checksum/multi_hasher.h"
#include "transfer/staged_part_stream.h"
#include "checksum/multipart_etag.h"
#include "ledger/transition.h"
#include "s3/s3_error_codes.h"
#include "staging/staging_error.h"
#include "transfer/additional_checksums.h"
#include "transfer/copy_part_plan.h"
#include "transfer/metadata_codec.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {
namespace {

// What one part's stream holds in memory (as the direct copy's).
constexpr size_t kStagedStreamBuffer = 256 << 10;

using Kind = OutcomeKind;

// What the bytes must hash to: the source stream's checksums as the stage
// leg recorded them (the staged copy's only where the source's is absent).
struct Expected {
  std::optional<uint32_t> crc32c;
  std::optional<checksum::Md5Digest> md5;  // the source's, when known
  std::optional<checksum::Md5Digest> staged_md5;
};

Expected expected_of(const ledger::ObjectRecord& r) {
  Expected e;
  e.crc32c = r.crc32c ? r.crc32c : (r.staged ? r.staged->crc32c : std::nullopt);
  e.md5 = r.md5;
  if (r.staged) e.staged_md5 = r.staged->md5;
  return e;
}

Status read_range(const staging::StagedReader& reader, uint64_t offset, uint64_t length, std::string& buffer) {
  buffer.resize(length);
  auto got = reader.read_at(offset, std::span<unsigned char>(reinterpret_cast<unsigned char*>(buffer.data()), length));
  if (!got) return std::unexpected(got.error());
  if (*got != length) {
    buffer.resize(*got);
    return make_error(ErrorKind::permanent, staging::kStagedCorrupt,
                      reader.path() + " ends at " + std::to_string(offset + *got) + ", expected " +
                          std::to_string(offset + length) + " bytes");
  }
  return {};
}

bool is_corruption(const std::string& code) {
  return code == staging::kStagedCorrupt || code == ledger::kChecksumMismatch;
}

}  // namespace

StagedUploader::StagedUploader(StagedUploadSettings settings, s3::S3Client& destination, ledger::TransitionQueue& ledger,
                               staging::Stager& stager, ByteBudget& budget, WorkerPool& part_pool,
                               log::EventLog& events)
    : settings_(std::move(settings)),
      destination_(destination),
      stager_(stager),
      budget_(budget),
      events_(events),
      uploader_(destination, ledger, budget, part_pool, events, settings_.landing.etags_are_md5()) {}

ObjectOutcome StagedUploader::upload(const ledger::ObjectRecord& record) {
  auto reader = stager_.open_reader_anywhere(record.id.value);
  if (!reader) {
    if (reader.error().code == staging::kStagedNotFound)
      return ObjectOutcome::of(Kind::missing, kStagedMissing, reader.error().message);
    return ObjectOutcome::of(Kind::failed, reader.error().code, reader.error().message);
  }
  if (reader->size() != record.size)
    return ObjectOutcome::of(Kind::corrupt, staging::kStagedCorrupt,
                             reader->path() + " holds " + std::to_string(reader->size()) + " bytes, the object has " +
                                 std::to_string(record.size));
  if (!expected_of(record).crc32c)
    return ObjectOutcome::of(Kind::corrupt, staging::kStagedCorrupt, "no checksum of the source bytes is recorded");
  auto metadata = decode_metadata(record.staged ? record.staged->metadata : std::string());
  if (!metadata) return ObjectOutcome::of(Kind::failed, metadata.error().code, metadata.error().message);
  switch (choose_put_shape(record.size, settings_.part_size, settings_.multipart_threshold,
                            expected_of(record).md5.has_value())) {
    case PutShape::single:
      return upload_single(record, *reader, *metadata);
    case PutShape::streamed:
      return upload_streamed(record, *reader, *metadata);
    case PutShape::multipart:
      break;
  }
  return upload_multipart(record, *reader, *metadata);
}

ObjectOutcome StagedUploader::upload_single(const ledger::ObjectRecord& record, const staging::StagedReader& reader,
                                            const s3::ObjectMetadata& metadata) {
  if (!budget_.acquire(record.size)) return ObjectOutcome::of(Kind::cancelled, kCancelled, "stopping");
  BudgetLease lease(&budget_, record.size);
  std::string buffer;
  if (auto r = read_range(reader, 0, record.size, buffer); !r)
    return ObjectOutcome::of(is_corruption(r.error().code) ? Kind::corrupt : Kind::failed, r.error().code,
                             r.error().message);
  auto hasher = checksum::MultiHasher::create(selection_for(settings_.checksum_algorithm));
  if (!hasher) return ObjectOutcome::of(Kind::failed, hasher.error().code, hasher.error().message);
  hasher->update(buffer);
  const checksum::Checksums sums = hasher->finish();
  const Expected want = expected_of(record);
  // End to end, before anything is sent: the bytes about to be uploaded are
  // the bytes read from the source.
  if (sums.crc32c != want.crc32c || (want.md5 && sums.md5 != want.md5) ||
      (want.staged_md5 && sums.md5 != want.staged_md5)) {
    return ObjectOutcome::of(Kind::corrupt, staging::kStagedCorrupt,
                             reader.path() + " reads differently from the bytes read from the source");
  }
  s3::BodySource body{.size = buffer.size(),
                      .data = buffer,
                      .content_md5 = sums.content_md5(),
                      .checksum = additional_checksum(settings_.checksum_algorithm, sums)};
  auto etag = destination_.put_object(settings_.destination_bucket, destination_key(record.key), body,
                                      landing_put_options(settings_.landing, metadata));
  if (!etag) return ObjectOutcome::of(Kind::failed, etag.error().code, etag.error().message);
  ObjectOutcome out;
  out.kind = Kind::verified;
  out.method = CopyMethod::put;
  out.bytes_uploaded = buffer.size();
  out.update.md5 = sums.md5;
  out.update.crc32c = sums.crc32c;
  out.update.crc64nvme = sums.crc64nvme;
  out.update.dest_etag = *etag;
  out.proof = want.md5 ? "staged bytes = source MD5 and CRC32C" : "staged bytes = source CRC32C";
  out.proof += settings_.landing.etags_are_md5() && checksum::etag_matches_md5(*etag, *sums.md5)
                   ? "; destination ETag = MD5"
                   : "; destination verified Content-MD5";
  return out;
}

ObjectOutcome StagedUploader::upload_streamed(const ledger::ObjectRecord& record, const staging::StagedReader& reader,
                                              const s3::ObjectMetadata& metadata) {
  const Expected want = expected_of(record);
  ObjectOutcome out;
  out.method = CopyMethod::streamed_put;
  auto with_bytes = [&](ObjectOutcome o) { return with_progress(std::move(o), out); };
  int attempts = 0;
  std::shared_ptr<uint64_t> sent;  // bytes the current attempt has read from the file
  std::optional<Error> corrupt;
  s3::BodySource body{
      .size = record.size,
      .open =
          [&]() -> http::BodyReader {
            if (sent) out.bytes_uploaded += *sent;
            sent = std::make_shared<uint64_t>(0);
            // A retry may be the destination refusing the bytes (BadDigest):
            // the file is hashed before it is sent again, so a staged copy
            // that went bad is refetched, not sent until the retries run out.
            if (++attempts > 1 && !corrupt) {
              auto sums = reader.compute_checksums();
              if (!sums) {
                corrupt = sums.error();
              } else if (sums->md5 != want.md5 || sums->crc32c != want.crc32c) {
                corrupt = Error{ErrorKind::permanent, staging::kStagedCorrupt,
                                reader.path() + " reads differently from the bytes read from the source"};
              }
              if (corrupt) corrupt->kind = ErrorKind::permanent;  // sending it again cannot help
            }
            if (corrupt) return [e = *corrupt](char*, size_t) -> Result<size_t> { return std::unexpected(e); };
            return [&reader, sent_so_far = sent](char* data, size_t capacity) -> Result<size_t> {
              auto got = reader.read_at(*sent_so_far,
                                        std::span<unsigned char>(reinterpret_cast<unsigned char*>(data), capacity));
              if (got) *sent_so_far += *got;
              return got;
            };
          },
      .content_md5 = checksum::md5_base64(*want.md5),
      // The source's CRC-32C is known before the bytes pass (a CRC-64/NVME
      // is not: it would be computed only as they go).
      .checksum = additional_checksum(settings_.checksum_algorithm, want.crc32c, std::nullopt)};
  auto etag = destination_.put_object(settings_.destination_bucket, destination_key(record.key), body,
                                      landing_put_options(settings_.landing, metadata));
  if (sent) out.bytes_uploaded += *sent;
  if (!etag) {
    const Error& e = etag.error();
    if (e.code == s3::kBadDigest)
      return with_bytes(ObjectOutcome::of(Kind::corrupt, staging::kStagedCorrupt,
                                          reader.path() + ": the destination refused its bytes"));
    if (is_corruption(e.code)) return with_bytes(ObjectOutcome::of(Kind::corrupt, e.code, e.message));
    return with_bytes(ObjectOutcome::of(Kind::failed, e.code, e.message));
  }
  const bool etag_is_md5 = settings_.landing.etags_are_md5() && checksum::is_plain_md5_etag(*etag);
  if (etag_is_md5 && !checksum::etag_matches_md5(*etag, *want.md5))
    return with_bytes(
        ObjectOutcome::of(Kind::failed, kDestinationMismatch,
                          "the destination stored ETag " + *etag + ", the source has " + record.source_etag));
  // The destination accepted the source's MD5 over the bytes sent: they are
  // the source's bytes, whose CRC-32C the stage leg recorded.
  out.kind = Kind::verified;
  out.update.md5 = want.md5;
  out.update.crc32c = want.crc32c;
  out.update.dest_etag = *etag;
  out.proof = "destination checked the source's MD5 (Content-MD5) over the staged bytes";
  if (etag_is_md5) out.proof += "; destination ETag = source ETag";
  return out;
}

ObjectOutcome StagedUploader::upload_multipart(const ledger::ObjectRecord& record, const staging::StagedReader& reader,
                                               const s3::ObjectMetadata& metadata) {
  // The source's part layout where its ETag lets us infer it: the
  // destination ETag then equals the source's.
  const auto info = checksum::classify_etag(record.source_etag);
  checksum::PartLimits limits;
  limits.quirk_max_part_size = settings_.destination_max_part_size;
  auto plan = plan_copy_parts(record.size, info.kind == checksum::EtagKind::multipart ? info.part_count : 0,
                              std::nullopt, settings_.part_size, limits);
  if (!plan) return ObjectOutcome::of(Kind::failed, plan.error().code, plan.error().message);
  const Expected want = expected_of(record);
  const bool whole_md5 = want.md5.has_value();

  s3::PutOptions create_options = landing_put_options(settings_.landing, metadata);
  create_options.checksum_algorithm = settings_.checksum_algorithm;
  auto session =
      uploader_.open(record, settings_.destination_bucket, destination_key(record.key), plan->parts, create_options);
  if (!session) return ObjectOutcome::of(Kind::failed, session.error().code, session.error().message);
  const PartReader read_staged = [&reader](uint32_t, const checksum::PartRange& range, std::string& buffer) {
    return read_range(reader, range.offset, range.length, buffer);
  };
  // A multipart source in its own layout: its parts are streamed from the
  // file with only a CRC-32C computed here, and the destination's part ETags
  // (its MD5s of what it stored) must combine into the source's ETag, which
  // proves the destination holds the source's bytes without hashing them
  // here. Where they do not (a byte flipped on the way, an empty part ETag),
  // every part is read again and hashed (and the whole MD5 too, when the
  // stage recorded one), and the bad ones sent again, as the direct copy
  // does.
  // Not under SSE-KMS: the destination's part ETags are then no MD5s.
  const bool mirrored = info.kind == checksum::EtagKind::multipart && plan->parts.part_count == info.part_count &&
                        settings_.landing.etags_are_md5();
  PartsOutcome parts;
  bool streamed_proof = false;
  if (mirrored) {
    const PartStreamOpener open_staged = [&reader](const checksum::PartRange& range, size_t) {
      return std::make_unique<StagedPartStream>(reader, range.offset, range.length);
    };
    parts = uploader_.stream_parts(*session, record, kStagedStreamBuffer, open_staged);
    std::optional<std::string> combined;
    if (!parts.error && !parts.upload_gone) combined = MultipartUploader::parts_etag(parts);
    if (combined && checksum::etags_equal(*combined, record.source_etag)) {
      streamed_proof = true;
    } else if (!parts.error) {
      events_.emit("parts_rechecked", {{"key", record.key},
                                       {"reason", parts.upload_gone ? "upload_gone"
                                                  : combined       ? "etag_mismatch"
                                                                   : "part_etag_not_md5"},
                                       {"destination_etag", combined.value_or("")}});
      const bool gone = parts.upload_gone;
      const uint64_t streamed = parts.uploaded;
      parts =
          uploader_.upload_parts(MultipartUploader::with_parts_done(*session, parts), record, whole_md5, read_staged);
      parts.upload_gone = parts.upload_gone || gone;
      parts.uploaded += streamed;
    }
  } else {
    parts = uploader_.upload_parts(*session, record, whole_md5, read_staged);
  }

  auto with_bytes = [&](ObjectOutcome o) {
    o.method = CopyMethod::multipart;
    o.bytes_uploaded = parts.uploaded;
    return o;
  };
  if (parts.error) {
    const Error& e = *parts.error;
    if (is_corruption(e.code)) {
      uploader_.abandon(*session);  // these parts can never complete into the right object
      return with_bytes(ObjectOutcome::of(Kind::corrupt, e.code, e.message));
    }
    if (e.code == s3::kNoSuchUpload) uploader_.abandon(*session);
    // Otherwise (also when stopping: cancelled) the upload stays active in
    // the ledger and resumes next time.
    return with_bytes(ObjectOutcome::from_error(e));
  }
  // End to end, before Complete: the parts sent are the source's bytes.
  const uint32_t crc = MultipartUploader::combined_crc32c(*session, parts);
  if (crc != want.crc32c || (whole_md5 && !streamed_proof && parts.whole_md5 != want.md5)) {
    uploader_.abandon(*session);
    return with_bytes(ObjectOutcome::of(Kind::corrupt, staging::kStagedCorrupt,
                                        reader.path() + " reads differently from the bytes read from the source"));
  }
  auto done = uploader_.complete(*session, parts, record.size);
  if (!done) {
    // Gone, or missing a part it acknowledged (InvalidPart): this upload
    // cannot complete; the next attempt starts a fresh one.
    if (done.error().code == s3::kNoSuchUpload || done.error().code == s3::kInvalidPart) uploader_.abandon(*session);
    return with_bytes(ObjectOutcome::of(Kind::failed, done.error().code, done.error().message));
  }
  ObjectOutcome out = with_bytes(ObjectOutcome{});
  out.kind = Kind::verified;
  out.update.crc32c = done->crc32c;
  out.update.crc64nvme = done->crc64nvme;
  if (whole_md5) out.update.md5 = streamed_proof ? want.md5 : parts.whole_md5;
  out.update.dest_etag = done->dest_etag;
  out.completed_upload = session->ref;
  if (streamed_proof) {
    out.proof = "staged bytes = source CRC32C; the destination's part ETags (its MD5s of the bytes it stored) "
                "combine into the source's multipart ETag";
  } else {
    out.proof = whole_md5 ? "staged bytes = source MD5 and CRC32C" : "staged bytes = source CRC32C";
    out.proof += settings_.landing.etags_are_md5() ? "; destination confirmed every part's MD5 and the object's ETag"
                                                   : "; destination checked every part's Content-MD5";
  }
  if (settings_.landing.etags_are_md5() && checksum::etags_equal(done->dest_etag, record.source_etag))
    out.proof += "; destination ETag = source ETag";
  return out;
}

}  // namespace s5j::transfer
