// StagedFetcher: the stage leg of the relay for one object — source bucket
// to a durable staged file, every byte accounted for.
//
// fetch(record):
//   1. space: Stager::reserve(size, block) — waits while every volume is
//      full (back-pressure, the drain frees space); TooLarge (no volume
//      could ever hold it) fails the object up front, never attempted.
//   2. read: one GET streamed into the staged file for objects up to the
//      multipart threshold; above it, ranged GETs in parallel on the part
//      pool (the source's part layout where it can be learned or inferred,
//      as the direct copy does), each written at its offset. Every GET is
//      pinned to the listed ETag (If-Match). MD5 and CRC32C are taken from
//      the bytes as they arrive: the whole stream's for a single GET, each
//      range's for ranged GETs (CRC32C combined, part MD5s rebuilding the
//      multipart ETag).
//   3. commit (fsync, rename, fsync dir) by the staging layer, which hashes
//      the file (`object_downloaded` is emitted here, before the ledger
//      knows: a crash now leaves a complete file the next run cleans).
//   4. proof: the file's checksums must equal the stream's (else the disk
//      stored other bytes: StagedWriteMismatch); a plain-MD5 source ETag
//      must equal the MD5 (read once more before ChecksumMismatch); a
//      reproducible multipart ETag must match where the layout was learned.
// The outcome carries the ledger update for `staged`: crc32c (and md5 when
// the whole stream was hashed or the source ETag proved it) of the source
// bytes, and the staged copy (volume, path, size, file MD5 + CRC32C, source
// metadata). A failed or cancelled fetch leaves no staged file.
//
// Stopping (`stop` requested): a space wait ends, no new range starts,
// ranges in flight finish, the object comes back `cancelled` (no file).
//
// Thread safety: fetch() from many threads at once; references must
// outlive the fetcher.
#pragma once

#include <atomic>
#include <cstdint>
#include <stop_token>
#include <string>

#include "ledger/ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "staging/stager.h"
#include "transfer/object_outcome.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

struct FetchSettings {
  std::string source_bucket;
  uint64_t part_size = 16ull << 20;
  uint64_t multipart_threshold = 512ull << 20;
};

class StagedFetcher {
 public:
  StagedFetcher(FetchSettings settings, s3::S3Client& source, staging::Stager& stager, WorkerPool& part_pool,
                log::EventLog& events)
      : settings_(std::move(settings)), source_(source), stager_(stager), part_pool_(part_pool), events_(events) {}

  // `record` is leased to the caller, in state staging.
  ObjectOutcome fetch(const ledger::ObjectRecord& record, std::stop_token stop);

 private:
  struct Read;
  ObjectOutcome fetch_once(const ledger::ObjectRecord& record, std::stop_token stop, bool& read_again);
  Status read_whole(const ledger::ObjectRecord& record, staging::StagedWriter& writer, Read& read);
  Status read_ranged(const ledger::ObjectRecord& record, staging::StagedWriter& writer, Read& read,
                     std::stop_token stop);

  const FetchSettings settings_;
  s3::S3Client& source_;
  staging::Stager& stager_;
  WorkerPool& part_pool_;
  log::EventLog& events_;
};

}  // namespace s5j::transfer
