// What a source ETag can prove about the bytes read, shared by the direct
// copy and the staged relay (both read the source and must show they read
// the listed version byte for byte).
//
//   source_etag_info()  classifies the ETag; under SSE-KMS, DSSE or SSE-C
//                       an MD5-looking ETag is not the MD5 of the data, so
//                       it is opaque.
//   learn_source_part_size()  part 1's length from HEAD ?partNumber=1 for a
//                       multipart source (servers that address parts; Ceph
//                       answers the whole object, which teaches nothing).
//   prove_multipart_layout()  compares the multipart ETag rebuilt from the
//                       part MD5s of the bytes read with the source's: equal
//                       is proof; different is a ChecksumMismatch when the
//                       source's part size was learned, and only "not
//                       learnable" when it was guessed.
//
// Thread safety: free functions; the client is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"
#include "checksum/multipart_etag.h"
#include "http/transport.h"
#include "s3/s3_client.h"
#include "transfer/copy_part_plan.h"

namespace s5j::transfer {

checksum::EtagInfo source_etag_info(const std::string& etag, const http::Headers& headers);

std::optional<uint64_t> learn_source_part_size(s3::S3Client& source, const std::string& bucket,
                                               const std::string& key, uint64_t size, const checksum::EtagInfo& info);

// Ok: the proof text ("source multipart ETag reproduced from the bytes
// read" or "CRC32C of bytes read (source part layout not learnable)").
Result<std::string> prove_multipart_layout(const CopyPartPlan& plan, const std::string& rebuilt_etag,
                                           const std::string& source_etag);

}  // namespace s5j::transfer
