// InMemoryS3: an S3 server held in memory, plugged in at the http::Transport
// boundary, so unit tests run the real S3Client (signing, retries, resumed
// GETs, XML parsing) and the transfer code above it without a network.
//
// It answers what s5j sends (path-style URLs): ListObjectsV2 and v1,
// HeadBucket, HEAD/GET object (Range, If-Match, ?partNumber=N), PUT object
// (Content-MD5 checked: BadDigest; additional checksums x-amz-checksum-
// crc32c / -crc64nvme checked, kept and answered with checksum mode, as AWS
// does, FULL_OBJECT for multipart uploads), DELETE, DeleteObjects, CopyObject
// (x-amz-copy-source, -if-match, metadata directive), and multipart uploads
// (Create, UploadPart with Content-MD5, UploadPartCopy with a range,
// Complete, Abort, ListMultipartUploads). ETags are what S3 computes: the
// MD5 of the bytes, or for a completed multipart upload the MD5 of the
// concatenated part MD5s followed by "-N". CopyObject keeps the source's
// ETag and part layout (as Ceph RGW does). A write with
// x-amz-server-side-encryption: aws:kms gets ETags that are no MD5 of the
// data (as AWS answers under SSE-KMS): 32 hex digits for a PUT and each
// part, "-N" after Complete, none of them digests of the bytes (Content-MD5
// is still checked). Each object keeps the landing headers it was written
// with (StoredObject::landing). Signatures are not checked.
//
// Fault hooks (add_fault): an S3 error answer (any status and code) for the
// Nth call of an operation, optionally only for one key; a GET body cut
// after K bytes (the connection breaks: RecvFailed); a GET body or an
// UploadPart body with one byte flipped; an UploadPart or Complete answered
// with another ETag than the right one; a part acknowledged but lost; refuse() answers 501 NotImplemented for an operation for
// good (ListObjectsV2, CopyObject, UploadPartCopy, HEAD ?partNumber);
// refuse_all() answers every request with one error until accept_all().
// calls() counts requests per operation, faults included. on_request runs
// before each request is answered (no lock held), e.g. to change an object
// in the middle of a copy.
//
// Thread safety: perform() and every other method from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "http/transport.h"

namespace s5j::testing {

enum class S3Op {
  list_buckets,
  head_bucket,
  create_bucket,
  list_objects_v2,
  list_objects_v1,
  head_object,
  head_object_part,  // HEAD ?partNumber=N
  get_object,
  put_object,
  delete_object,
  delete_objects,
  copy_object,
  create_multipart_upload,
  upload_part,
  upload_part_copy,
  complete_multipart_upload,
  abort_multipart_upload,
  list_multipart_uploads,
  unknown,
};
std::string_view to_string(S3Op op);

struct StoredObject {
  std::string data;
  std::string etag;                  // without quotes
  std::vector<uint64_t> part_sizes;  // a completed multipart upload's parts; empty otherwise
  http::Headers metadata;            // Content-Type, x-amz-meta-*, ... as sent
  // Additional checksums as AWS keeps them (x-amz-checksum-crc32c /
  // -crc64nvme -> base64 value), computed here over the stored bytes;
  // answered to HEAD/GET with x-amz-checksum-mode: ENABLED.
  http::Headers checksums;
  std::chrono::system_clock::time_point last_modified{};
  // x-amz-storage-class, x-amz-server-side-encryption(-aws-kms-key-id),
  // x-amz-tagging, x-amz-acl as sent with the write (names in lower case).
  http::Headers landing;
};

struct OpenUpload {
  std::string bucket;
  std::string key;
  std::string upload_id;
  http::Headers metadata;
  std::map<int, std::string> parts;       // part number -> bytes
  std::map<int, std::string> part_etags;  // part number -> MD5 hex of its bytes (not under SSE-KMS)
  std::string checksum_header;  // "x-amz-checksum-crc32c": created with x-amz-checksum-algorithm (FULL_OBJECT)
  http::Headers landing;                  // as sent with CreateMultipartUpload
  bool kms = false;                       // SSE-KMS: part ETags are no MD5s
};

struct S3Fault {
  S3Op op = S3Op::unknown;
  std::string key;  // empty: any key
  int nth = 1;      // the first matching call it applies to (1-based)
  int times = 1;    // matching calls from the nth on it applies to; 0: all
  // An error answer (when neither cut_after nor flip_at is set).
  int status = 500;
  std::string code = "InternalError";
  // GET: deliver this many body bytes, then fail (RecvFailed).
  std::optional<uint64_t> cut_after;
  // GET: flip the byte at this object offset when the answer covers it.
  // UploadPart: flip the byte at this offset of the part's body before the
  // server checks and stores it (a byte flipped on the way up).
  std::optional<uint64_t> flip_at;
  // UploadPart, CompleteMultipartUpload: handled as usual, but the answer
  // carries this ETag (Ceph's empty ETag, a wrong one).
  std::optional<std::string> answer_etag;
  // UploadPart: answered as if stored, but the part is not kept (lost).
  bool drop_part = false;

  // An error answer rather than one of the alterations above.
  bool is_error() const { return !cut_after && !flip_at && !answer_etag && !drop_part; }
};

struct RequestSeen {
  S3Op op = S3Op::unknown;
  std::string bucket;
  std::string key;
  int call = 0;  // 1-based count of this op so far
};

class InMemoryS3 final : public http::Transport {
 public:
  InMemoryS3();

  // --- state set-up and inspection (no request, no fault, no count)
  void create_bucket(const std::string& bucket);
  // A plain object (ETag = MD5).
  void put(const std::string& bucket, const std::string& key, std::string data, http::Headers metadata = {});
  // An object as a multipart upload of `part_size` parts would leave it.
  void put_multipart(const std::string& bucket, const std::string& key, std::string data, uint64_t part_size,
                     http::Headers metadata = {});
  void remove(const std::string& bucket, const std::string& key);
  // Gives a stored object another ETag, bytes and checksums unchanged (as
  // an SSE-KMS rewrite or a copy in another part layout leaves it).
  void set_etag(const std::string& bucket, const std::string& key, std::string etag);
  // Replaces a stored object's bytes, keeping its ETag (damage the ETag
  // does not show); its additional checksums are computed again.
  void set_data(const std::string& bucket, const std::string& key, std::string data);
  std::optional<StoredObject> object(const std::string& bucket, const std::string& key) const;
  std::vector<std::string> keys(const std::string& bucket) const;
  std::vector<OpenUpload> uploads(const std::string& bucket) const;
  // Opens an upload and stores the given parts, as a run that died would
  // leave it; returns the upload id.
  std::string open_upload(const std::string& bucket, const std::string& key, const std::map<int, std::string>& parts);

  // --- faults and counters
  void add_fault(S3Fault fault);
  void refuse(S3Op op);  // 501 NotImplemented from now on
  // Every request answered with this error from now on (e.g. 403
  // InvalidAccessKeyId: the credentials were revoked); accept_all() ends it.
  void refuse_all(int status, std::string code);
  void accept_all();
  void clear_faults();
  int calls(S3Op op) const;
  std::function<void(const RequestSeen&)> on_request;  // set before requests start

  Result<http::Response> perform(const http::Request& request) override;

  // S3 ETags: hex MD5 of `data`; multipart ETag of these part bodies.
  static std::string md5_hex(std::string_view data);
  static std::string multipart_etag(const std::vector<std::string_view>& parts);
  static std::string multipart_etag_of(const std::vector<std::string>& part_md5_hex);
  // The ETag of `data` written under SSE-KMS: 32 hex digits, not its MD5.
  static std::string kms_etag(std::string_view data);

  // --- used by the request handlers (in_memory_s3_handlers.cpp)
  struct Parsed;
  struct Answer {
    int status = 200;
    http::Headers headers;
    std::string body;
    bool streamed = false;  // body goes to the sink when there is one
  };

 private:
  Answer handle(const Parsed& request, S3Op op);
  Answer list_objects(const Parsed& request, bool v2);
  Answer list_uploads(const Parsed& request);
  Answer get_or_head(const Parsed& request, bool head);
  Answer put_object(const Parsed& request);
  Answer copy(const Parsed& request, bool part);
  Answer create_upload(const Parsed& request);
  Answer upload_part(const Parsed& request);
  Answer complete_upload(const Parsed& request);
  Answer delete_objects(const Parsed& request);
  std::string next_upload_id();

  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, StoredObject>> buckets_;  // guarded by mutex_
  std::map<std::string, OpenUpload> uploads_;                           // by upload id; guarded
  std::vector<S3Fault> faults_;                                         // guarded
  std::map<size_t, int> fault_matches_;                                 // fault index -> matching calls
  std::set<S3Op> refused_;                                              // guarded
  std::optional<std::pair<int, std::string>> refuse_all_;              // guarded
  std::map<S3Op, int> calls_;                                           // guarded
  uint64_t upload_counter_ = 0;                                         // guarded
};

}  // namespace s5j::testing
