// The request headers of an object's landing (PutOptions, CopyOptions):
// metadata, storage class, server-side encryption, tags and canned ACL, as
// botocore's rest-xml serializer writes them for PutObject,
// CreateMultipartUpload and CopyObject (tests/unit/s3/put_headers_botocore_test
// checks that). Pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "http/transport.h"
#include "s3/s3_client.h"

namespace s5j::s3 {

// PutObject and CreateMultipartUpload: options.metadata's headers as given,
// then x-amz-storage-class, x-amz-server-side-encryption,
// x-amz-server-side-encryption-aws-kms-key-id, x-amz-tagging, x-amz-acl for
// the fields that are set.
http::Headers put_headers(const PutOptions& options);

// CopyObject (besides x-amz-copy-source and its If-Match): with
// replace_metadata, x-amz-metadata-directive: REPLACE and the landing's
// metadata; with tags, x-amz-tagging-directive: REPLACE and x-amz-tagging;
// storage class, encryption and ACL as put_headers().
http::Headers copy_headers(const CopyOptions& options);

// x-amz-tagging's value: "k1=v1&k2=v2", each name and value URI-encoded as a
// query parameter (S3 decodes it as one).
std::string tagging_value(const std::vector<std::pair<std::string, std::string>>& tags);

}  // namespace s5j::s3
