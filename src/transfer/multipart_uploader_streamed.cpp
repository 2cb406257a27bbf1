// MultipartUploader::stream_parts: the parts of a multipart copy streamed
// from ranged GETs (or a staged file) into UploadPart through a small
// buffer each, nothing
// hashed here but a CRC-32C; the destination's part ETags are the proof
// (see multipart_uploader.h and docs/ledger.md, "Proofs").
#include <memory>
#include <mutex>

#include "checksum/multipart_etag.h"
#include "s3/s3_error_codes.h"
#include "transfer/multipart_uploader.h"
#include "transfer/parts_run.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {
namespace {

// A part recorded before a restart that need not be streamed again: its
// ETag is an MD5 (the destination's, or one computed here) and its CRC is
// known.
std::optional<PartDigest> reusable(const ledger::PartRecord& recorded, uint64_t length) {
  if (recorded.size != length || !recorded.crc32c) return std::nullopt;
  if (recorded.md5) return PartDigest{*recorded.md5, Md5Origin::read_here, *recorded.crc32c, recorded.etag};
  const auto info = checksum::classify_etag(recorded.etag);
  if (info.kind != checksum::EtagKind::plain_md5) return std::nullopt;
  return PartDigest{*info.digest, Md5Origin::destination_etag, *recorded.crc32c, recorded.etag};
}

}  // namespace

PartsOutcome MultipartUploader::stream_parts(const UploadSession& session, const ledger::ObjectRecord& record,
                                             uint64_t stream_buffer, const PartStreamOpener& open) {
  const uint32_t count = session.parts.part_count;
  auto shared = std::make_shared<PartsRun>(count);
  auto fail = [shared](Error e) { shared->fail(std::move(e)); };

  for (uint32_t n = 1; n <= count && !shared->failed && !shared->upload_gone; ++n) {
    const auto range = checksum::part_range(session.parts, n);
    if (auto it = session.done.find(n); it != session.done.end())
      if (auto kept = reusable(it->second, range.length)) {
        shared->results[n - 1] = *kept;
        continue;  // uploaded before the restart
      }
    const uint64_t buffer_bytes = std::max<uint64_t>(1, std::min(stream_buffer, range.length));
    if (!budget_.acquire(buffer_bytes)) {
      fail(Error{ErrorKind::retryable, kCancelled, "stopping"});
      break;
    }
    auto lease = std::make_shared<BudgetLease>(&budget_, buffer_bytes);
    shared->group.add();
    part_pool_.submit([this, shared, fail, lease, range, n, buffer_bytes, &session, &record, &open] {
      PartsRun::PartDone done_guard{*shared};
      if (shared->failed || shared->upload_gone) return;
      // Every attempt of the UploadPart reads the range again.
      std::shared_ptr<PartStream> stream;
      uint64_t downloaded = 0;
      auto end_stream = [&] {
        if (!stream) return;
        downloaded += stream->bytes_downloaded();
        stream.reset();  // ends its GET before the next one starts
      };
      s3::BodySource body{.size = range.length, .open = [&]() -> http::BodyReader {
                            end_stream();
                            stream = open(range, buffer_bytes);
                            if (session.checksum_algorithm == s3::ChecksumAlgorithm::crc64nvme) stream->want_crc64nvme();
                            return [s = stream](char* data, size_t capacity) { return s->read(data, capacity); };
                          }};
      auto etag = destination_.upload_part(session.bucket, session.key, session.upload_id, static_cast<int>(n), body);
      const uint32_t crc = stream ? stream->crc32c() : 0;
      const std::optional<uint64_t> crc64 = stream ? stream->crc64nvme() : std::nullopt;
      end_stream();
      shared->read += downloaded;
      if (!etag && etag.error().code == s3::kNoSuchUpload && session.resumed) {
        // Killed after Complete succeeded but before the ledger heard: the
        // caller checks the parts against a fresh read (upload_parts).
        shared->upload_gone = true;
        return;
      }
      if (!etag) return fail(etag.error());
      shared->uploaded += range.length;
      PartDigest part{.crc32c = crc, .etag = *etag, .crc64nvme = crc64};
      const auto info = checksum::classify_etag(*etag);
      if (info.kind == checksum::EtagKind::plain_md5) {
        part.md5 = *info.digest;
        part.md5_origin = Md5Origin::destination_etag;
      } else {
        part.md5_origin = Md5Origin::none;  // e.g. an empty ETag: the caller's recheck sends it again
      }
      shared->results[n - 1] = part;
      // No MD5 recorded: none was computed here; the ETag is the destination's.
      ledger::PartRecord recorded{n, range.offset, range.length, *etag, std::nullopt, crc};
      if (auto q = ledger_.queue_part(session.ref, recorded); !q) return fail(q.error());
      events_.emit("part_done", {{"key", record.key}, {"part", n}, {"bytes", range.length}, {"streamed", true}});
    });
  }
  shared->group.wait();
  return shared->outcome();
}

}  // namespace s5j::transfer
