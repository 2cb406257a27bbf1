// How objects land at the destination (config's destination landing keys):
// the options every write of an object carries (PutObject, streamed or not;
// CreateMultipartUpload; CopyObject), and which metadata it takes: the
// source's (the default: what HEAD/GET of the source answered, or what the
// stage leg recorded), none, or the file's own.
//
// Proof: under SSE-KMS (sse "aws:kms") the destination's ETags are not MD5s
// of the bytes (AWS), so no ETag the destination answers may prove or
// disprove anything; etags_are_md5() tells the copy paths so. What remains
// sound there: Content-MD5 on PUT and on every part (the server refuses
// other bytes), and the checksums recorded of the bytes read.
//
// Pure values and functions.
#pragma once

#include <string>

#include "s3/s3_client.h"

namespace s5j::transfer {

enum class MetadataLanding { copy, none, given };

struct LandingSettings {
  // storage_class, sse, sse_kms_key_id, tags, acl; its metadata is unused
  // (see metadata and given).
  s3::PutOptions options;
  MetadataLanding metadata = MetadataLanding::copy;
  s3::ObjectMetadata given;  // MetadataLanding::given: the headers to send

  // False under SSE-KMS: the destination's ETags prove nothing.
  bool etags_are_md5() const { return options.sse != "aws:kms"; }
};

// The PutOptions of one write, with `source` the metadata of the object read.
s3::PutOptions landing_put_options(const LandingSettings& landing, const s3::ObjectMetadata& source);

// CopyObject's options: metadata kept (copy) or replaced (none: by nothing;
// given: by the file's), tags replaced when given.
s3::CopyOptions landing_copy_options(const LandingSettings& landing, const std::string& if_match);

}  // namespace s5j::transfer
