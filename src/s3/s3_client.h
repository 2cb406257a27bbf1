// S3Client: the S3 operations s5j needs, over any http::Transport.
//
// Every call is one logical S3 request: the client signs it (SigV4), spreads
// it over the side's endpoints, retries transient failures with full-jitter
// backoff under a shared retry budget, corrects clock skew from the
// server's Date header and a wrong region once, and parses the answer
// (including an <Error> inside a 200). Callers see Result<T>; a returned
// Error has already been retried as far as the policy allows.
//
// Streaming: GetObject hands body bytes to a sink as they arrive; when the
// connection breaks mid-body the client resumes with a Range request pinned
// to the first answer's ETag (If-Match), so the sink sees one continuous
// stream. Uploads read from a BodySource opened afresh for each attempt.
//
// Paths are path-style by default ("/bucket/key"), the key encoded once and
// never normalised. Virtual-hosted style is available for AWS.
//
// Thread safety: one client is shared by all workers of a side; every
// method may be called from many threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "http/transport.h"
#include "s3/additional_checksum.h"
#include "s3/concurrency_limiter.h"
#include "s3/endpoint_pool.h"
#include "s3/list_api.h"
#include "s3/outposts_arn.h"
#include "s3/retry_policy.h"
#include "s3/s3_xml.h"
#include "s3/sigv4_signer.h"

namespace s5j::s3 {

struct ClientOptions {
  std::vector<std::string> endpoint_urls;  // at least one
  std::string region = "us-east-1";
  Credentials credentials;
  bool virtual_hosted = false;
  // Set: the side's bucket is this Outposts access point (outposts_arn.h):
  // every request to a bucket goes to its host and is signed for
  // s3-outposts in its region; `region` and `virtual_hosted` do not apply.
  std::optional<OutpostsAccessPoint> outposts;
  ListApi list_api = ListApi::automatic;  // automatic: v2, falling back to v1 when refused
  RetryOptions retry;
  // Requests in flight adapt to throttling between concurrency.floor and
  // concurrency.ceiling; the default ceiling does not limit normal runs.
  ConcurrencyOptions concurrency;
  // Hash small in-memory bodies into x-amz-content-sha256 (always safe);
  // streamed bodies use UNSIGNED-PAYLOAD with Content-MD5 unless the caller
  // gives the SHA-256.
  uint64_t sign_body_below = 1 << 20;
};

// One finished HTTP exchange, for event logs and tests.
struct RequestEvent {
  std::string operation;  // "GetObject"
  std::string endpoint;   // URL of the endpoint used
  std::string bucket;
  std::string key;
  int attempt = 1;
  int http_status = 0;  // 0 when no answer
  std::string error_code;  // empty on success
  bool will_retry = false;
  std::chrono::milliseconds duration{0};
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  // The client's concurrency limit after this exchange (see
  // S3Client::concurrency_limit()), so an observer can log its changes.
  int concurrency_limit = 0;
  // "down" when this exchange set its endpoint aside (connection refused,
  // name not resolved, or repeated server errors, timeouts or broken
  // connections: EndpointPool), "up" when it was the first answer after
  // that; empty otherwise.
  std::string endpoint_change;
  // Set (to "If-Match", ...) on a report that is not an exchange: the
  // server refused a feature it lacks, the exchange before this report was
  // that refusal, and the client does without the feature from now on.
  // Sent once per feature and client.
  std::string feature_refused;
};
using RequestObserver = std::function<void(const RequestEvent&)>;

// Metadata carried over on copy (system metadata and x-amz-meta-*).
struct ObjectMetadata {
  http::Headers headers;  // Content-Type, Content-Encoding, Content-Disposition,
                          // Content-Language, Cache-Control, Expires, x-amz-meta-*
};

struct ObjectHead {
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::chrono::system_clock::time_point last_modified{};
  int parts_count = 0;  // x-amz-mp-parts-count when asked with partNumber
  std::string storage_class;
  ObjectMetadata metadata;
  http::Headers raw_headers;
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

struct GetOptions {
  std::optional<ByteRange> range;
  std::string if_match;  // ETag the object must still have (PreconditionFailed otherwise)
  int part_number = 0;   // GET ?partNumber=N
  uint64_t expected_size = 0;  // object size when known (a hint for buffer sizes; the range's length wins)
  bool checksum_mode = false;  // HEAD: ask for the additional checksums (x-amz-checksum-mode: ENABLED)
};

// Request body for PUT / UploadPart: either in memory or opened per attempt.
struct BodySource {
  uint64_t size = 0;
  std::string_view data;                  // in-memory body (must outlive the call), or
  std::function<http::BodyReader()> open;  // a fresh reader for each attempt
  std::string content_md5;     // base64 MD5 of the body; sent as Content-MD5 when set
  std::string sha256_hex;      // hex SHA-256 of the body when known
  http::Headers extra_headers;  // sent as given (a probe's deliberately wrong checksum)
  // PutObject / UploadPart: the additional checksum of the body, sent while
  // the server honours additional checksums (honours_additional_checksums).
  AdditionalChecksum checksum;
};

// How an object lands at the destination: sent on PutObject,
// CreateMultipartUpload and CopyObject (s3/put_headers.h turns it into
// headers). Empty fields send nothing; the values are checked by the config
// loader, not here.
struct PutOptions {
  ObjectMetadata metadata;
  std::string storage_class;   // x-amz-storage-class
  std::string sse;             // x-amz-server-side-encryption: "AES256" or "aws:kms"
  std::string sse_kms_key_id;  // x-amz-server-side-encryption-aws-kms-key-id (with "aws:kms")
  std::vector<std::pair<std::string, std::string>> tags;  // x-amz-tagging, in this order
  std::string acl;             // x-amz-acl: a canned ACL
  // CreateMultipartUpload: the parts will carry this additional checksum
  // (FULL_OBJECT), while the server honours additional checksums.
  ChecksumAlgorithm checksum_algorithm = ChecksumAlgorithm::none;
};

// CopyObject's landing: the destination object keeps the source's metadata
// and tags (the directives' COPY) unless told to replace them; storage
// class, encryption and ACL of `landing` are always sent.
struct CopyOptions {
  std::string if_match;           // the source ETag the copy must have (x-amz-copy-source-if-match)
  PutOptions landing;
  bool replace_metadata = false;  // x-amz-metadata-directive: REPLACE, with landing.metadata
  // Tags are replaced (x-amz-tagging-directive: REPLACE) whenever
  // landing.tags is not empty.
};

struct ListRequest {
  std::string bucket;
  std::string prefix;
  std::string continuation;  // v2 continuation token or v1 marker from the last page
  std::string start_after;   // first page only
  std::string delimiter;
  int max_keys = 1000;
};

class S3Client {
 public:
  S3Client(ClientOptions options, std::shared_ptr<http::Transport> transport,
           const Clock& clock = SystemClock::instance());

  // --- buckets
  Result<std::vector<BucketInfo>> list_buckets();
  Status head_bucket(const std::string& bucket);
  Status create_bucket(const std::string& bucket);
  Status delete_bucket(const std::string& bucket);

  // --- listing: one page; `next` in the result continues (empty when done).
  // Which API answered is remembered (automatic falls back to v1 for good
  // when the server refuses v2).
  Result<ListPage> list_objects(const ListRequest& request);
  bool using_list_v1() const { return list_v1_.load(); }

  // --- objects
  // GET and HEAD carry If-Match with the ETag the caller expects. A server
  // that refuses conditional requests (501, or 400 NotImplemented /
  // InvalidArgument / InvalidRequest to one) is asked again without, for
  // the rest of the run, and the client compares the answer's ETag itself:
  // a different one is PreconditionFailed, as the server would have said.
  bool honours_conditional_reads() const { return !conditional_refused_.load(); }
  // HEAD ?partNumber=N (a multipart object's part layout): a server that
  // refuses it once (as above) is not asked again this run; later such
  // HEADs fail at once with NotImplemented, and callers infer the layout.
  bool honours_part_number() const { return !part_number_refused_.load(); }
  // Additional checksums (BodySource::checksum, PutOptions::checksum_algorithm,
  // CompletedPart::checksum): a server that refuses one (as above: 501, or
  // 400 NotImplemented / InvalidArgument / InvalidRequest) is asked again
  // without, and none are sent for the rest of the run. A BadDigest is not
  // a refusal: the checksum did not match the bytes.
  bool honours_additional_checksums() const { return !checksums_refused_.load(); }
  Result<ObjectHead> head_object(const std::string& bucket, const std::string& key, const GetOptions& options = {});
  // Streams the body to `sink`; returns the head fields of the answer.
  Result<ObjectHead> get_object(const std::string& bucket, const std::string& key, const GetOptions& options,
                                const http::BodySink& sink);
  // Returns the ETag the server gave (without quotes).
  Result<std::string> put_object(const std::string& bucket, const std::string& key, const BodySource& body,
                                 const PutOptions& options = {});
  Status delete_object(const std::string& bucket, const std::string& key);
  // The object's tags (GetObjectTagging), in the server's order.
  Result<std::vector<std::pair<std::string, std::string>>> get_object_tagging(const std::string& bucket,
                                                                              const std::string& key);
  Result<DeleteObjectsResult> delete_objects(const std::string& bucket, const std::vector<std::string>& keys);
  Result<CopyResult> copy_object(const std::string& source_bucket, const std::string& source_key,
                                 const std::string& bucket, const std::string& key, const CopyOptions& options = {});

  // --- multipart
  Result<std::string> create_multipart_upload(const std::string& bucket, const std::string& key,
                                              const PutOptions& options = {});
  Result<std::string> upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                  int part_number, const BodySource& body);
  Result<CopyResult> upload_part_copy(const std::string& source_bucket, const std::string& source_key,
                                      const ByteRange& range, const std::string& bucket, const std::string& key,
                                      const std::string& upload_id, int part_number, const std::string& if_match = {});
  // A retried Complete that finds NoSuchUpload HEADs the key: when it has the
  // expected "-N" ETag the first attempt had succeeded, and that is success.
  // `whole`: the object's FULL_OBJECT checksum, for the server to check
  // (sent, with the parts' checksums, while additional checksums are honoured).
  Result<CompleteMultipartResult> complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                            const std::string& upload_id,
                                                            const std::vector<CompletedPart>& parts,
                                                            const AdditionalChecksum& whole = {});
  // NoSuchUpload counts as done.
  Status abort_multipart_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  Result<MultipartUploadsPage> list_multipart_uploads(const std::string& bucket, const std::string& prefix,
                                                      const std::string& key_marker = {},
                                                      const std::string& upload_id_marker = {});

  // The observer sees every finished exchange. set_observer() replaces the
  // primary one; add_observer() adds another (e.g. for health events) that
  // set_observer() leaves in place. Both only before requests start.
  void set_observer(RequestObserver observer) { observer_ = std::move(observer); }
  void add_observer(RequestObserver observer) { extra_observers_.push_back(std::move(observer)); }
  // Requests allowed in flight now (adaptive, see ConcurrencyLimiter).
  int concurrency_limit() const { return limiter_.limit(); }
  const ConcurrencyLimiter& concurrency() const { return limiter_; }
  const EndpointPool& endpoints() const { return *pool_; }
  const RetryPolicy& retry_policy() const { return retry_; }
  std::string region() const;
  std::chrono::milliseconds clock_offset() const { return std::chrono::milliseconds(clock_offset_ms_.load()); }

 private:
  struct Call;
  Result<http::Response> execute(Call& call);
  Result<http::Response> execute_once(Call& call, size_t endpoint_index, int attempt);
  // The Host of a request: the endpoint's, with the bucket (virtual-hosted)
  // or the Outposts access point in front when the call names a bucket.
  std::string request_host(const Endpoint& endpoint, const Call& call) const;
  // execute() with the body's additional checksum while it is honoured; a
  // refusal is noted once and the request sent again without.
  Result<http::Response> execute_with_checksum(Call& call, const AdditionalChecksum& checksum);
  std::string request_url(const Endpoint& endpoint, const Call& call, std::string& encoded_path) const;
  void notify(const RequestEvent& event) const;
  // Whether `error` is a server saying it lacks a feature the request used.
  static bool refuses_feature(const Error& error);
  // Records the refusal in `flag`; the first time, reports it (feature_refused).
  void note_refused_feature(std::atomic<bool>& flag, const char* feature, const Call& call, const Error& error);

  ClientOptions options_;
  std::shared_ptr<http::Transport> transport_;
  const Clock& clock_;
  SigV4Signer signer_;
  std::unique_ptr<EndpointPool> pool_;
  RetryPolicy retry_;
  RequestObserver observer_;
  std::vector<RequestObserver> extra_observers_;
  ConcurrencyLimiter limiter_;
  std::atomic<int64_t> clock_offset_ms_{0};  // server time minus ours
  std::atomic<bool> list_v1_{false};
  std::atomic<bool> conditional_refused_{false};  // If-Match on GET and HEAD
  std::atomic<bool> part_number_refused_{false};  // HEAD ?partNumber
  std::atomic<bool> checksums_refused_{false};    // x-amz-checksum-* on uploads
  mutable std::mutex region_mutex_;
  std::string region_;  // guarded by region_mutex_; may be corrected once
  std::atomic<bool> region_corrected_{false};
};

// Builds a client from plain settings with a CurlTransport; an invalid
// endpoint URL is an Error.
Result<std::unique_ptr<S3Client>> make_client(ClientOptions options, std::shared_ptr<http::Transport> transport,
                                              const Clock& clock = SystemClock::instance());

}  // namespace s5j::s3
