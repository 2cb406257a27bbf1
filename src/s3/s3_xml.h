// Parsing of S3 XML responses and building of S3 XML request bodies.
// Pure functions on strings (pugixml inside); no I/O.
//
// Parsers return an Error with code "MalformedXML" (kind permanent, message
// naming the operation) when the document is not what the operation answers
// with. Every parser given an <Error> document (CopyObject, UploadPartCopy and
// CompleteMultipartUpload can answer 200 with one) returns an Error carrying
// the S3 code, message and request id, http_status 200, and kind retryable
// for the transient codes (InternalError, SlowDown, ServiceUnavailable,
// RequestTimeout, Throttling, ...), permanent otherwise.
//
// Timestamps accept "2009-10-12T17:50:30.000Z", no or any number of fraction
// digits (kept to the millisecond, as parse_iso8601) and "+00:00" offsets.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "s3/additional_checksum.h"

namespace s5j::s3 {

struct ObjectInfo {
  std::string key;   // decoded when the response echoed EncodingType=url
  uint64_t size = 0;
  std::string etag;  // without the surrounding quotes
  std::chrono::system_clock::time_point last_modified{};
  std::string storage_class;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;  // decoded like keys
  bool is_truncated = false;
  std::string next_continuation_token;  // v2
  // v1: NextMarker, or when it is absent and the page is truncated the last
  // key or last common prefix, whichever is greater. Decoded like keys (Ceph
  // echoes NextMarker un-encoded even with EncodingType=url; both forms are
  // recognised by comparing with the last key / prefix).
  std::string next_marker;
  bool url_encoded = false;             // the response echoed EncodingType=url
};

Result<ListPage> parse_list_objects_v2(std::string_view xml);
Result<ListPage> parse_list_objects_v1(std::string_view xml);

struct ErrorBody {
  std::string code;
  std::string message;
  std::string request_id;
  std::string region;  // <Region> (AuthorizationHeaderMalformed, PermanentRedirect)
  std::string resource;
};
// nullopt when `xml` is not an <Error> document.
std::optional<ErrorBody> parse_error_body(std::string_view xml);

// UploadId from InitiateMultipartUploadResult.
Result<std::string> parse_initiate_multipart_upload(std::string_view xml);

struct CompleteMultipartResult {
  std::string etag;  // may be empty (Ceph 16 answers an empty ETag)
  std::string location;
};
Result<CompleteMultipartResult> parse_complete_multipart_upload(std::string_view xml);

struct CopyResult {
  std::string etag;
  std::chrono::system_clock::time_point last_modified{};
};
// CopyObjectResult (CopyObject) or CopyPartResult (UploadPartCopy).
Result<CopyResult> parse_copy_result(std::string_view xml);

// GetObjectTagging's <Tagging><TagSet><Tag><Key/><Value/></Tag>...: the
// tags in the order given; an empty body is no tags (Ceph RGW's answer for
// an object without them).
Result<std::vector<std::pair<std::string, std::string>>> parse_tagging(std::string_view xml);

struct MultipartUploadInfo {
  std::string key;
  std::string upload_id;
  std::chrono::system_clock::time_point initiated{};
};
// Keys and NextKeyMarker are decoded only when the response echoes
// EncodingType=url. Ceph encodes the keys WITHOUT echoing it: do not send
// encoding-type=url to ListMultipartUploads.
struct MultipartUploadsPage {
  std::vector<MultipartUploadInfo> uploads;
  bool is_truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};
Result<MultipartUploadsPage> parse_list_multipart_uploads(std::string_view xml);

struct BucketInfo {
  std::string name;
  std::chrono::system_clock::time_point created{};
};
Result<std::vector<BucketInfo>> parse_list_buckets(std::string_view xml);

struct DeleteObjectsResult {
  std::vector<std::string> deleted;
  struct Failure {
    std::string key, code, message;
  };
  std::vector<Failure> errors;
};
Result<DeleteObjectsResult> parse_delete_objects(std::string_view xml);

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // without quotes; the builder adds them
  AdditionalChecksum checksum;  // written as <ChecksumCRC32C> etc. when not empty
};
// Parts are written in ascending part-number order whatever the input order.
std::string build_complete_multipart_upload(const std::vector<CompletedPart>& parts);
// Keys are escaped (& < > " ' and TAB/LF/CR as character references, so a
// key with CR is not normalised to LF by the server's XML parser). XML 1.0
// cannot carry the other control characters: they are written as character
// references such as "&#x1;", which servers reject (Ceph: 400 with an empty
// body; AWS: MalformedXML) and the whole batch fails. Send keys for which
// xml_can_carry() is false to single DeleteObject requests instead.
std::string build_delete_objects(const std::vector<std::string>& keys, bool quiet);
// False when `text` is not valid UTF-8 or contains a character XML 1.0
// forbids (U+0000-U+001F except TAB/LF/CR, U+FFFE, U+FFFF).
bool xml_can_carry(std::string_view text);

}  // namespace s5j::s3
