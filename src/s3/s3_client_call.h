// S3Client::Call, the one logical request an operation hands to
// S3Client::execute(), and what the operation files share. Internal to the
// client's own sources (s3_client.cpp and s3_client_*.cpp): the contract is
// s3/s3_client.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "s3/s3_client.h"

namespace s5j::s3 {

// One logical request, as execute() needs it. Filled by each operation.
struct S3Client::Call {
  std::string operation;
  std::string method;
  std::string bucket;
  std::string key;
  bool has_key = false;  // the path names an object (possibly with an empty-looking key)
  QueryParams query;
  http::Headers headers;
  const BodySource* body = nullptr;  // streamed or caller-owned body
  std::string owned_body;            // small XML bodies built by the client
  std::string owned_body_md5;        // base64 MD5 of owned_body when the server needs it
  http::BodySink sink;
  std::function<Status(int, const http::Headers&)> on_headers;
  uint64_t expected_response_bytes = 0;  // 0: unknown
  bool error_in_200 = false;  // Copy/Complete: a 200 may carry <Error>
  bool bucket_level = false;  // a bodiless 404 means NoSuchBucket
  bool head = false;
  // Called before every retry (GET resume adjusts Range and If-Match).
  std::function<void(Call&)> before_retry;
};

// An ETag header's value without its surrounding quotes.
inline std::string strip_quotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

}  // namespace s5j::s3
