// S3Client's bucket-level operations: the buckets themselves and the
// listing of a bucket's objects (v2, with the fall-back to v1).
#include "s3/s3_client.h"

#include "s3/s3_client_call.h"
#include "s3/s3_error.h"

namespace s5j::s3 {

Result<std::vector<BucketInfo>> S3Client::list_buckets() {
  Call call{.operation = "ListBuckets", .method = "GET"};
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return parse_list_buckets(r->body);
}

Status S3Client::head_bucket(const std::string& bucket) {
  Call call{.operation = "HeadBucket", .method = "HEAD", .bucket = bucket};
  call.bucket_level = true;
  call.head = true;
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return {};
}

Status S3Client::create_bucket(const std::string& bucket) {
  Call call{.operation = "CreateBucket", .method = "PUT", .bucket = bucket};
  call.bucket_level = true;
  const std::string region = this->region();
  if (region != "us-east-1" && region != "snow")
    call.owned_body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" + region +
        "</LocationConstraint></CreateBucketConfiguration>";
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return {};
}

Status S3Client::delete_bucket(const std::string& bucket) {
  Call call{.operation = "DeleteBucket", .method = "DELETE", .bucket = bucket};
  call.bucket_level = true;
  auto r = execute(call);
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<ListPage> S3Client::list_objects(const ListRequest& request) {
  auto list_once = [&](bool v1) -> Result<ListPage> {
    Call call{.operation = v1 ? "ListObjects" : "ListObjectsV2", .method = "GET", .bucket = request.bucket};
    call.bucket_level = true;
    if (!v1) call.query.push_back({"list-type", "2"});
    call.query.push_back({"encoding-type", "url"});
    call.query.push_back({"max-keys", std::to_string(request.max_keys)});
    if (!request.prefix.empty()) call.query.push_back({"prefix", request.prefix});
    if (!request.delimiter.empty()) call.query.push_back({"delimiter", request.delimiter});
    if (v1) {
      const std::string& marker = request.continuation.empty() ? request.start_after : request.continuation;
      if (!marker.empty()) call.query.push_back({"marker", marker});
    } else if (!request.continuation.empty()) {
      call.query.push_back({"continuation-token", request.continuation});
    } else if (!request.start_after.empty()) {
      call.query.push_back({"start-after", request.start_after});
    }
    auto r = execute(call);
    if (!r) return std::unexpected(r.error());
    return v1 ? parse_list_objects_v1(r->body) : parse_list_objects_v2(r->body);
  };
  if (list_v1_) return list_once(true);
  auto page = list_once(false);
  // Servers without ListObjectsV2 (the legacy Snowball adapter) refuse it
  // with 501 NotImplemented or 400 InvalidArgument, or ignore list-type and
  // answer a v1 document; fall back to v1 for the rest of the run.
  if (options_.list_api == ListApi::automatic && !page &&
      (page.error().code == kNotImplemented || page.error().http_status == 501 ||
       page.error().code == kInvalidArgument || page.error().code == kMalformedXml)) {
    list_v1_ = true;
    return list_once(true);
  }
  // A server that ignored list-type=2 answers a truncated page without a
  // continuation token: continue with v1 markers instead of looping.
  if (options_.list_api == ListApi::automatic && page && page->is_truncated && page->next_continuation_token.empty()) {
    list_v1_ = true;
    return list_once(true);
  }
  return page;
}

}  // namespace s5j::s3
