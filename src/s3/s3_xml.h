// Parsing of S3 XML responses and building of S3 XML request bodies.
// Pure functions on strings (pugixml inside); no I/O.
//
// Parsers return an Error with code "MalformedXML" (kind permanent) when the
// document is not what the operation answers with. An <Error> document
// inside a 200 answer (CopyObject, UploadPartCopy, CompleteMultipartUpload)
// is returned as an Error built by error_from_xml().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

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
  std::string next_marker;              // v1: NextMarker, or the last key when absent and truncated
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

struct MultipartUploadInfo {
  std::string key;
  std::string upload_id;
  std::chrono::system_clock::time_point initiated{};
};
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
};
std::string build_complete_multipart_upload(const std::vector<CompletedPart>& parts);
std::string build_delete_objects(const std::vector<std::string>& keys, bool quiet);

}  // namespace s5j::s3
