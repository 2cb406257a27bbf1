// Bucket policies for the limited test user (uid s5j-limited, see
// test_env.h): the owner grants it exactly what a case needs, or takes the
// grant away again (RGW applies a policy change to the next request).
// Through curl, which signs the ?policy subresource itself: s5j's S3
// client has no policy calls, and a test should not depend on it for this.
#pragma once

#include <string>
#include <vector>

namespace s5j::testing {

// Grants the limited user `actions` (e.g. "s3:PutObject") on `bucket` and
// its objects, replacing any policy. Fails the calling test on error.
void grant_limited_user(const std::string& endpoint, const std::string& bucket,
                        const std::vector<std::string>& actions);
// Removes the bucket's policy: the limited user is refused again.
void remove_bucket_policy(const std::string& endpoint, const std::string& bucket);

// What a relay's destination needs (a multipart upload probe included).
inline const std::vector<std::string> kLimitedWriteDestination = {
    "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:ListBucketMultipartUploads", "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts"};

}  // namespace s5j::testing
