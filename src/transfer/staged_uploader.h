// StagedUploader: the drain leg of the relay for one object — a staged
// file to the destination bucket, verified end to end.
//
// upload(record), record leased to the caller in state uploading:
//   * the staged copy is opened (Stager::open_reader_anywhere: also a file
//     another process staged); none → `missing`;
//   * up to the part size (and the multipart threshold): the file is read
//     into memory (its size from the ByteBudget), hashed, and compared with
//     what the ledger recorded when the object was read from the source
//     (CRC32C, and MD5 when recorded) BEFORE anything is sent; then one PUT
//     with Content-MD5 (the destination checks the bytes it got);
//   * larger, up to the multipart threshold, when the source's MD5 is
//     recorded: one PUT streamed from the file with the source's MD5 as
//     Content-MD5 and nothing hashed here, so the destination checks every
//     byte against the source and refuses anything else
//     (BadDigest). A retried attempt first hashes the file: a staged copy
//     that no longer matches the source comes back `corrupt` rather than
//     being sent again;
//   * otherwise: a multipart upload (MultipartUploader: resumable, size and
//     multipart ETag by HEAD after Complete). The part layout mirrors the
//     source's where it can be inferred from its ETag. A multipart source in
//     its own layout (no MD5 of it exists) has its parts streamed from the
//     file (StagedPartStream) with only a CRC-32C computed here, and is
//     proven by the destination's part ETags combining into the source's
//     ETag; where they do not, every part is read again, hashed, and the
//     bad ones sent again. Other objects' parts are read by pread in
//     parallel and hashed (part ETags = part MD5s). Either way the whole
//     CRC32C (combined from the parts) and, when recorded, the whole MD5
//     must equal the source's BEFORE CompleteMultipartUpload: a mismatch
//     aborts the upload, so differing bytes never become a destination
//     object;
//   * the source's metadata recorded with the staged copy is sent along.
// A staged file that reads differently from the source bytes (a flipped
// byte on disk, a truncated file) comes back `corrupt`: the caller deletes
// it and sends the object back to be fetched from the source again.
//
// Thread safety: upload() from many threads at once; references must
// outlive the uploader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ledger/transition_queue.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "staging/stager.h"
#include "transfer/byte_budget.h"
#include "transfer/key_mapping.h"
#include "transfer/landing.h"
#include "transfer/multipart_uploader.h"
#include "transfer/object_outcome.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

struct StagedUploadSettings {
  std::string source_prefix;
  std::string destination_bucket;
  std::string destination_prefix;
  uint64_t part_size = 16ull << 20;
  uint64_t multipart_threshold = 512ull << 20;
  std::optional<uint64_t> destination_max_part_size;  // quirk (e.g. Snowball 512 MB)
  // The destination's checksum_algorithm (CopierSettings has the details).
  s3::ChecksumAlgorithm checksum_algorithm = s3::ChecksumAlgorithm::none;
  LandingSettings landing;  // sent with every write
};

class StagedUploader {
 public:
  StagedUploader(StagedUploadSettings settings, s3::S3Client& destination, ledger::TransitionQueue& ledger,
                 staging::Stager& stager, ByteBudget& budget, WorkerPool& part_pool, log::EventLog& events);

  ObjectOutcome upload(const ledger::ObjectRecord& record);

 private:
  std::string destination_key(const std::string& source_key) const {
    return destination_key_for(settings_.source_prefix, settings_.destination_prefix, source_key);
  }
  ObjectOutcome upload_single(const ledger::ObjectRecord& record, const staging::StagedReader& reader,
                              const s3::ObjectMetadata& metadata);
  ObjectOutcome upload_streamed(const ledger::ObjectRecord& record, const staging::StagedReader& reader,
                                const s3::ObjectMetadata& metadata);
  ObjectOutcome upload_multipart(const ledger::ObjectRecord& record, const staging::StagedReader& reader,
                                 const s3::ObjectMetadata& metadata);

  const StagedUploadSettings settings_;
  s3::S3Client& destination_;
  staging::Stager& stager_;
  ByteBudget& budget_;
  log::EventLog& events_;
  MultipartUploader uploader_;
};

}  // namespace s5j::transfer
