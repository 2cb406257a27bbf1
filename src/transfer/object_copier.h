// ObjectCopier: copies one object from the source bucket to the destination
// bucket and proves the copy, for the direct sync (no local disk).
//
// Strategies, chosen per object:
//   - server-side copy (CopyObject / UploadPartCopy) when both sides are the
//     same endpoints and credentials; proven by the destination ETag equal
//     to the source ETag; falls back to streaming when the server refuses;
//   - one GET into a memory buffer and one PUT with Content-MD5, for objects
//     up to the part size (and the multipart threshold);
//   - a streamed PUT for larger objects up to the multipart threshold whose
//     source ETag is a plain MD5: the GET feeds the PUT through a small
//     buffer (SourceStream) and the PUT carries the source's MD5 as
//     Content-MD5, so the destination checks every byte against the source
//     and nothing is hashed here but a CRC-32C; the destination ETag equals
//     the source's. Other objects above the part size go multipart;
//   - a multipart source whose part layout can be learned or inferred:
//     each part streamed from a ranged GET into UploadPart through a small
//     buffer (MultipartUploader::stream_parts), parts in parallel on the
//     shared WorkerPool, nothing hashed here but a CRC-32C; the
//     destination's part ETags (its MD5s of what it stored) must combine
//     into the source's multipart ETag. Otherwise (event `parts_rechecked`)
//     every part is read again and hashed, a part whose destination ETag
//     differs from the fresh MD5 is sent again with Content-MD5, and the
//     object is proven as below;
//   - other objects: ranged GETs feeding a multipart upload, parts in
//     parallel, each read into a buffer, hashed and sent with Content-MD5.
// Every buffer takes its size from the shared ByteBudget first.
//
// Proof (docs/ledger.md, "Proofs"): MD5 and CRC32C are computed over the
// bytes read (a streamed PUT: CRC32C only, the destination checks the
// source's MD5 and a refusal is retried with a fresh read; streamed parts:
// CRC32C only, the destination's part ETags are the proof). A plain-MD5
// source ETag must equal the MD5 of the bytes; a multipart source ETag
// must equal the ETag rebuilt from the part MD5s when the source part size
// was learned from the server; the destination must confirm each part (its
// ETag is the part's MD5) and the final object (size, and the multipart
// ETag the parts imply). A source ETag that proves nothing about the bytes
// (opaque, or a multipart layout guessed wrong) is replaced by a second
// read that must agree. A mismatch is returned as failed, never as
// verified; a multipart copy whose proof still fails after its parts were
// rechecked, or whose Complete finds a part missing (InvalidPart), is
// abandoned and redone from scratch (`object_retried`, at most twice), a
// single PUT's source read again (`object_reread`, at most three reads in
// all).
//
// Every GET is pinned to the listed source ETag (If-Match): an object that
// changes mid-copy comes back as `changed`, one deleted as `vanished`;
// stopping (the memory budget cancelled) as `cancelled`, its uploaded parts
// kept in the ledger.
//
// Multipart progress goes to the ledger as it happens (begin_upload before
// the first part, queue_part after each), so a restart resumes the upload:
// parts already uploaded are not sent again.
//
// Thread safety: copy() may run on many threads at once; the copier holds
// only references to shared, thread-safe parts.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "ledger/transition_queue.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "transfer/byte_budget.h"
#include "transfer/landing.h"
#include "transfer/multipart_uploader.h"
#include "transfer/object_outcome.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

struct CopierSettings {
  std::string source_bucket;
  std::string source_prefix;
  std::string destination_bucket;
  std::string destination_prefix;
  uint64_t part_size = 16ull << 20;
  uint64_t multipart_threshold = 512ull << 20;
  bool server_side_copy = false;  // both sides are the same endpoints and credentials
  std::optional<uint64_t> destination_max_part_size;  // quirk (e.g. Snowball 512 MB)
  // The destination's checksum_algorithm: sent with single PUTs read into
  // memory and with hashed parts (a streamed PUT cannot: its bytes pass
  // after the headers); a multipart upload gets the whole object's at
  // Complete. CRC-64/NVME is then computed in flight and recorded.
  s3::ChecksumAlgorithm checksum_algorithm = s3::ChecksumAlgorithm::none;
  LandingSettings landing;  // sent with every write; under SSE-KMS no server-side copy
};

class ObjectCopier {
 public:
  ObjectCopier(CopierSettings settings, s3::S3Client& source, s3::S3Client& destination, ledger::TransitionQueue& ledger,
               ByteBudget& budget, WorkerPool& part_pool, log::EventLog& events);

  // Copies `record` (leased to the caller, in state copying).
  ObjectOutcome copy(const ledger::ObjectRecord& record);

 private:
  // The destination key for a source key (prefix replaced).
  std::string destination_key(const std::string& source_key) const;
  ObjectOutcome copy_server_side(const ledger::ObjectRecord& record, bool& fall_back);
  ObjectOutcome copy_single(const ledger::ObjectRecord& record);
  // Sets `fall_back` when the source ETag turns out not to be the MD5 of
  // the bytes (SSE): the object must then go multipart.
  ObjectOutcome copy_streamed(const ledger::ObjectRecord& record, bool& fall_back);
  // `fresh`: a new upload, never the one the ledger shows (a redo).
  ObjectOutcome copy_multipart(const ledger::ObjectRecord& record, bool fresh);
  Result<UploadSession> open_fresh_upload(const ledger::ObjectRecord& record, const std::string& key,
                                          const checksum::PartPlan& parts, const s3::PutOptions& options);

  CopierSettings settings_;
  s3::S3Client& source_;
  s3::S3Client& destination_;
  ledger::TransitionQueue& ledger_;
  ByteBudget& budget_;
  WorkerPool& part_pool_;
  log::EventLog& events_;
  MultipartUploader uploader_;
  std::atomic<bool> server_copy_refused_{false};  // by the server, during this run
};

}  // namespace s5j::transfer
