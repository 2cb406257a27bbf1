// ChecksumAlgorithm: which additional checksum (x-amz-checksum-*) uploads to
// a destination carry. A value type of its own, like ListApi, so that config
// (the destination's `checksum_algorithm` key), the client and the ledger's
// users name the same enum.
#pragma once

namespace s5j::s3 {

// none: no additional checksum (Content-MD5 and the ETags prove copies).
// crc32c / crc64nvme: x-amz-checksum-crc32c / -crc64nvme on PutObject and
// UploadPart, FULL_OBJECT multipart uploads.
enum class ChecksumAlgorithm { none, crc32c, crc64nvme };

}  // namespace s5j::s3
