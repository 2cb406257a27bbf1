// S3Client's multipart operations: create, upload a part (from a body or
// copied from an object), complete, abort, and list the uploads in flight.
#include "s3/s3_client.h"

#include <algorithm>

#include "base/strings.h"
#include "s3/put_headers.h"
#include "s3/s3_client_call.h"
#include "s3/s3_error.h"
#include "s3/uri_encode.h"

namespace s5j::s3 {

Result<std::string> S3Client::create_multipart_upload(const std::string& bucket, const std::string& key,
                                                      const PutOptions& options) {
  Call call{.operation = "CreateMultipartUpload", .method = "POST", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"uploads", ""});
  call.headers = put_headers(options);
  const size_t plain_headers = call.headers.size();
  const bool with_checksum =
      options.checksum_algorithm != ChecksumAlgorithm::none && honours_additional_checksums();
  if (with_checksum)
    for (auto& h : create_upload_checksum_headers(options.checksum_algorithm)) call.headers.push_back(std::move(h));
  auto r = execute(call);
  if (!r && with_checksum && refuses_feature(r.error())) {
    note_refused_feature(checksums_refused_, "x-amz-checksum-algorithm", call, r.error());
    call.headers.resize(plain_headers);
    r = execute(call);
  }
  if (!r) return std::unexpected(r.error());
  return parse_initiate_multipart_upload(r->body);
}

Result<std::string> S3Client::upload_part(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id, int part_number, const BodySource& body) {
  Call call{.operation = "UploadPart", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"partNumber", std::to_string(part_number)});
  call.query.push_back({"uploadId", upload_id});
  call.body = &body;
  auto r = execute_with_checksum(call, body.checksum);
  if (!r) return std::unexpected(r.error());
  auto etag = http::find_header(r->headers, "etag");
  if (!etag) return make_error(ErrorKind::retryable, "MissingETag", "UploadPart answer carried no ETag");
  return strip_quotes(trim(*etag));
}

Result<CopyResult> S3Client::upload_part_copy(const std::string& source_bucket, const std::string& source_key,
                                              const ByteRange& range, const std::string& bucket,
                                              const std::string& key, const std::string& upload_id, int part_number,
                                              const std::string& if_match) {
  Call call{.operation = "UploadPartCopy", .method = "PUT", .bucket = bucket, .key = key, .has_key = true};
  call.error_in_200 = true;
  call.query.push_back({"partNumber", std::to_string(part_number)});
  call.query.push_back({"uploadId", upload_id});
  call.headers.push_back({"x-amz-copy-source", uri_encode(source_bucket, false) + "/" + uri_encode(source_key, true)});
  call.headers.push_back(
      {"x-amz-copy-source-range", "bytes=" + std::to_string(range.first) + "-" + std::to_string(range.last)});
  if (!if_match.empty()) call.headers.push_back({"x-amz-copy-source-if-match", "\"" + if_match + "\""});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_copy_result(r->body);
}

Result<CompleteMultipartResult> S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                                    const std::string& upload_id,
                                                                    const std::vector<CompletedPart>& parts,
                                                                    const AdditionalChecksum& whole) {
  Call call{.operation = "CompleteMultipartUpload", .method = "POST", .bucket = bucket, .key = key, .has_key = true};
  call.error_in_200 = true;
  call.query.push_back({"uploadId", upload_id});
  const bool with_checksums =
      honours_additional_checksums() &&
      (!whole.empty() || std::any_of(parts.begin(), parts.end(), [](const auto& p) { return !p.checksum.empty(); }));
  auto set_body = [&](bool checksums) {
    call.headers.clear();
    if (checksums) {
      call.headers = complete_upload_checksum_headers(whole);
      call.owned_body = build_complete_multipart_upload(parts);
    } else {
      std::vector<CompletedPart> plain = parts;
      for (auto& p : plain) p.checksum = {};
      call.owned_body = build_complete_multipart_upload(plain);
    }
  };
  set_body(with_checksums);
  int attempts_seen = 0;
  call.before_retry = [&](Call&) { ++attempts_seen; };
  auto r = execute(call);
  if (!r && with_checksums && refuses_feature(r.error())) {
    note_refused_feature(checksums_refused_, "x-amz-checksum", call, r.error());
    set_body(false);
    r = execute(call);
  }
  if (!r) {
    // A retried Complete whose first attempt succeeded finds the upload gone.
    if (r.error().code == kNoSuchUpload && attempts_seen > 0) {
      auto head = head_object(bucket, key);
      const std::string suffix = "-" + std::to_string(parts.size());
      if (head && head->etag.size() > suffix.size() && head->etag.ends_with(suffix))
        return CompleteMultipartResult{head->etag, {}};
    }
    return std::unexpected(r.error());
  }
  return parse_complete_multipart_upload(r->body);
}

Status S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                        const std::string& upload_id) {
  Call call{.operation = "AbortMultipartUpload", .method = "DELETE", .bucket = bucket, .key = key, .has_key = true};
  call.query.push_back({"uploadId", upload_id});
  auto r = execute(call);
  if (!r && r.error().code != kNoSuchUpload) return std::unexpected(r.error());
  return {};
}

Result<MultipartUploadsPage> S3Client::list_multipart_uploads(const std::string& bucket, const std::string& prefix,
                                                              const std::string& key_marker,
                                                              const std::string& upload_id_marker) {
  Call call{.operation = "ListMultipartUploads", .method = "GET", .bucket = bucket};
  call.bucket_level = true;
  call.query.push_back({"uploads", ""});
  if (!prefix.empty()) call.query.push_back({"prefix", prefix});
  if (!key_marker.empty()) call.query.push_back({"key-marker", key_marker});
  if (!upload_id_marker.empty()) call.query.push_back({"upload-id-marker", upload_id_marker});
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_list_multipart_uploads(r->body);
}

}  // namespace s5j::s3
