// MultipartUploader: one object's multipart upload to the destination,
// parts in parallel, resumable, every part and the whole verified — shared
// by the direct copy (parts read from the source) and the staged relay's
// upload leg (parts read from the staged file).
//
//   open()      resumes the upload the ledger records for the object when
//               its part layout is the one wanted (`upload_resumed`), else
//               aborts that one and creates a new upload, recorded durably
//               (begin_upload) before any part is sent, so a crash never
//               orphans it.
//   upload_parts()  for each part not already uploaded: takes its size
//               from the ByteBudget (in part order), reads it with the
//               caller's PartReader on the WorkerPool, hashes it (MD5 +
//               CRC32C; optionally the whole object's MD5 in part order),
//               sends it with Content-MD5, checks the part ETag is the
//               part's MD5 where the server answers one, and queues the part
//               in the ledger (`part_done`). Parts recorded before a restart
//               are not sent again; they are read again only when the whole
//               MD5 is wanted (and must read the same), or when they were
//               recorded by stream_parts (no MD5 computed here): such a part
//               is kept when its destination ETag is the MD5 of the bytes
//               read now, else sent again — the retry that finds and
//               resends the bad parts of a streamed upload. A resumed upload that
//               answers NoSuchUpload is gone (its Complete may have succeeded
//               just before a crash): the remaining parts are still read and
//               hashed, not sent, so complete() can prove the object.
//   stream_parts()  for each part not already uploaded: takes a small
//               stream buffer from the ByteBudget (in part order), and on
//               the WorkerPool streams the part from the caller's
//               PartStreamOpener (a fresh PartStream for each attempt: a
//               ranged GET of the source, or a range of a staged file)
//               into UploadPart, without Content-MD5 and without hashing
//               anything here but a CRC-32C. The destination's part ETag
//               (the MD5 it computed of the bytes it stored) is the part's
//               MD5 (`Md5Origin::destination_etag`; `none` when the ETag is
//               no MD5, e.g. empty). The caller proves the object by
//               combining those ETags (destination_parts_etag()) and
//               comparing with the source's multipart ETag; on a mismatch
//               it calls upload_parts() with the streamed parts as `done`.
//               Parts recorded before a restart with an MD5-shaped ETag are
//               not sent again.
//   complete()  CompleteMultipartUpload, then HEAD (Ceph 16 answers
//               Complete with an empty ETag): size and multipart ETag must
//               be what the parts imply (DestinationMismatch otherwise);
//               the whole CRC32C is combined from the part CRCs. A resumed
//               upload that is gone (NoSuchUpload: its Complete succeeded
//               before a crash) counts as completed when the object at the
//               key has exactly the size and multipart ETag the parts imply.
//   abandon()   aborts the upload and records it aborted.
//
// Additional checksums (the destination's checksum_algorithm, carried by
// the create options into the session): a new upload is created FULL_OBJECT
// with that algorithm; upload_parts() sends each part's checksum (computed
// here over the part's bytes); stream_parts() cannot (the bytes pass only
// once, after the headers) and sends none, but computes the parts' CRCs in
// flight (CRC-64/NVME too when chosen); complete() lists the checksums
// sent and gives the whole object's, combined from the part CRCs, for the
// destination to check.
//
// Errors carry the code of the first failure (the reader's own codes, e.g.
// PreconditionFailed, SizeChanged, StagedCorrupt; S3 codes; Cancelled when
// the budget was cancelled; ChecksumMismatch when a recorded part reads
// differently; DestinationMismatch). Whether to abandon the upload on a
// failure is the caller's decision (a retryable failure keeps it for resume).
//
// Thread safety: every method may run for many objects at once; one
// object's calls in order. References must outlive the uploader.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checksum/md5.h"
#include "checksum/part_plan.h"
#include "ledger/transition_queue.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "transfer/byte_budget.h"
#include "transfer/part_stream.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

// Fills `buffer` (empty, capacity reserved) with the bytes of `range`, or
// fails. Runs on the part pool, for several parts at once. A reader that
// got fewer bytes than range.length must fail (SizeChanged, StagedCorrupt).
using PartReader = std::function<Status(uint32_t part_number, const checksum::PartRange& range, std::string& buffer)>;

struct UploadSession {
  ledger::UploadRef ref;
  std::string upload_id;
  std::string bucket;
  std::string key;
  checksum::PartPlan parts;
  std::map<uint32_t, ledger::PartRecord> done;  // parts recorded before a restart
  bool resumed = false;
  s3::ChecksumAlgorithm checksum_algorithm = s3::ChecksumAlgorithm::none;  // sent with the parts
};

// Where a part's MD5 comes from.
enum class Md5Origin {
  read_here,         // computed here over the bytes read
  destination_etag,  // the destination's part ETag: its MD5 of the bytes it stored
  none,              // unknown (the destination answered an ETag that is no MD5)
};

// Opens the bytes of one part as a stream for one UploadPart attempt;
// `buffer_bytes` is what the stream may hold in memory.
using PartStreamOpener =
    std::function<std::unique_ptr<PartStream>(const checksum::PartRange& range, size_t buffer_bytes)>;

struct PartDigest {
  checksum::Md5Digest md5{};
  Md5Origin md5_origin = Md5Origin::read_here;
  uint32_t crc32c = 0;
  std::string etag;
  std::optional<uint64_t> crc64nvme;  // computed when the session's algorithm is crc64nvme
  bool checksum_sent = false;         // the part went with the session's additional checksum
};

struct PartsOutcome {
  std::optional<Error> error;  // first failure; the other fields are then partial
  std::vector<PartDigest> parts;  // by part number - 1
  std::optional<checksum::Md5Digest> whole_md5;  // when asked for and every part was read
  uint64_t uploaded = 0;  // payload bytes sent
  uint64_t read = 0;      // payload bytes the reader delivered
  // A resumed upload answered NoSuchUpload: the remaining parts were read
  // and hashed but not sent; complete() then looks for the object it made.
  bool upload_gone = false;
};

struct CompletedUpload {
  std::string dest_etag;     // from HEAD
  std::string expected_etag; // the multipart ETag the part MD5s imply
  uint32_t crc32c = 0;       // of the whole object, combined from the parts
  std::optional<uint64_t> crc64nvme;  // ditto, when every part's was computed
};

class MultipartUploader {
 public:
  // `etags_are_md5` false (SSE-KMS, transfer/landing.h): the destination's
  // part and object ETags are not MD5s, so upload_parts() and complete()
  // compare none of them with MD5s (Content-MD5 on every part remains the
  // proof) and stream_parts() must not be used (its proof is the ETags).
  MultipartUploader(s3::S3Client& destination, ledger::TransitionQueue& ledger, ByteBudget& budget, WorkerPool& part_pool,
                    log::EventLog& events, bool etags_are_md5 = true)
      : destination_(destination),
        ledger_(ledger),
        budget_(budget),
        part_pool_(part_pool),
        events_(events),
        etags_are_md5_(etags_are_md5) {}

  Result<UploadSession> open(const ledger::ObjectRecord& record, const std::string& bucket, const std::string& key,
                             const checksum::PartPlan& parts, const s3::PutOptions& create_options);
  PartsOutcome upload_parts(const UploadSession& session, const ledger::ObjectRecord& record, bool whole_md5,
                            const PartReader& read);
  PartsOutcome stream_parts(const UploadSession& session, const ledger::ObjectRecord& record, uint64_t stream_buffer,
                            const PartStreamOpener& open);
  Result<CompletedUpload> complete(const UploadSession& session, const PartsOutcome& parts, uint64_t size);
  // The whole object's CRC32C from the part CRCs (every part present).
  static uint32_t combined_crc32c(const UploadSession& session, const PartsOutcome& parts);
  // The whole object's CRC-64/NVME, when every part's was computed.
  static std::optional<uint64_t> combined_crc64nvme(const UploadSession& session, const PartsOutcome& parts);
  void abandon(const UploadSession& session);
  // The multipart ETag the parts' MD5s imply; nullopt when a part's MD5 is
  // unknown (Md5Origin::none) or a part is missing.
  static std::optional<std::string> parts_etag(const PartsOutcome& parts);
  // `session` with the parts `parts` uploaded recorded as done (MD5s
  // computed here kept; destination ETags as ETags only), for upload_parts()
  // to check them against a fresh read.
  static UploadSession with_parts_done(const UploadSession& session, const PartsOutcome& parts);

 private:
  s3::S3Client& destination_;
  ledger::TransitionQueue& ledger_;
  ByteBudget& budget_;
  WorkerPool& part_pool_;
  log::EventLog& events_;
  bool etags_are_md5_ = true;
};

}  // namespace s5j::transfer
