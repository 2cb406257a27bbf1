#include "s3/put_headers.h"

#include "s3/uri_encode.h"

namespace s5j::s3 {
namespace {

// What every write of the object sends whatever its operation.
void append_placement(const PutOptions& options, http::Headers& out) {
  if (!options.storage_class.empty()) out.push_back({"x-amz-storage-class", options.storage_class});
  if (!options.sse.empty()) out.push_back({"x-amz-server-side-encryption", options.sse});
  if (!options.sse_kms_key_id.empty())
    out.push_back({"x-amz-server-side-encryption-aws-kms-key-id", options.sse_kms_key_id});
}

void append_acl(const PutOptions& options, http::Headers& out) {
  if (!options.acl.empty()) out.push_back({"x-amz-acl", options.acl});
}

}  // namespace

std::string tagging_value(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::string out;
  for (const auto& [name, value] : tags) {
    if (!out.empty()) out += '&';
    out += uri_encode(name, false) + "=" + uri_encode(value, false);
  }
  return out;
}

http::Headers put_headers(const PutOptions& options) {
  http::Headers out = options.metadata.headers;
  append_placement(options, out);
  if (!options.tags.empty()) out.push_back({"x-amz-tagging", tagging_value(options.tags)});
  append_acl(options, out);
  return out;
}

http::Headers copy_headers(const CopyOptions& options) {
  http::Headers out;
  if (options.replace_metadata) {
    out.push_back({"x-amz-metadata-directive", "REPLACE"});
    out.insert(out.end(), options.landing.metadata.headers.begin(), options.landing.metadata.headers.end());
  }
  append_placement(options.landing, out);
  if (!options.landing.tags.empty()) {
    out.push_back({"x-amz-tagging-directive", "REPLACE"});
    out.push_back({"x-amz-tagging", tagging_value(options.landing.tags)});
  }
  append_acl(options.landing, out);
  return out;
}

}  // namespace s5j::s3
