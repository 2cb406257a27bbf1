// The wire shapes of S3's additional checksums, as botocore sends them
// (tests/unit/s3/checksum_shapes_botocore_test.cpp checks them against it):
//   PutObject, UploadPart: x-amz-checksum-<alg>: <base64 of the big-endian
//     CRC> and x-amz-sdk-checksum-algorithm: <ALG>
//   CreateMultipartUpload: x-amz-checksum-algorithm: <ALG> and
//     x-amz-checksum-type: FULL_OBJECT (the object's checksum is then the CRC
//     of all its bytes, whatever the part sizes: CRC64NVME knows no other)
//   CompleteMultipartUpload: <Checksum<ALG>> in each <Part>, and the whole
//     object's x-amz-checksum-<alg> with x-amz-checksum-type: FULL_OBJECT
//   HeadObject with x-amz-checksum-mode: ENABLED answers x-amz-checksum-<alg>
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/transport.h"
#include "s3/checksum_algorithm.h"

namespace s5j::s3 {

// One checksum as S3 carries it; `value` is the base64 wire form
// (checksum::crc32_base64 / crc64_base64). Empty: none.
struct AdditionalChecksum {
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::none;
  std::string value;
  bool empty() const { return algorithm == ChecksumAlgorithm::none || value.empty(); }
};

// "CRC32C", "CRC64NVME"; empty for none.
std::string_view checksum_algorithm_name(ChecksumAlgorithm algorithm);
// "crc32c", "crc64nvme", "none": the config's and the ledger's spelling.
std::string_view checksum_algorithm_key(ChecksumAlgorithm algorithm);
// "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme"; empty for none.
std::string_view checksum_header_name(ChecksumAlgorithm algorithm);
// The XML element of a part in CompleteMultipartUpload: "ChecksumCRC32C".
std::string_view checksum_part_element(ChecksumAlgorithm algorithm);

// Headers of a PutObject or UploadPart carrying `checksum` (none when empty).
http::Headers upload_checksum_headers(const AdditionalChecksum& checksum);
// Headers of a CreateMultipartUpload whose parts will carry `algorithm`.
http::Headers create_upload_checksum_headers(ChecksumAlgorithm algorithm);
// Headers of a CompleteMultipartUpload giving the whole object's checksum.
http::Headers complete_upload_checksum_headers(const AdditionalChecksum& whole);

// The checksum of `algorithm` a HEAD or GET with checksum mode answered
// (its base64 value, trimmed), or nullopt when it carries none. A composite
// value ("...-N") is returned as sent: it is not a whole-object CRC and
// will not equal one.
std::optional<std::string> returned_checksum(const http::Headers& headers, ChecksumAlgorithm algorithm);

}  // namespace s5j::s3
