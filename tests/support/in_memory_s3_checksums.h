// InMemoryS3's additional checksums (x-amz-checksum-crc32c / -crc64nvme), as
// AWS S3 keeps them: computed here over the bytes received, a sent value
// that differs is BadDigest. The CRCs are computed bit by bit from their
// definitions, independently of s5j's checksum library, so a test server
// never agrees with the code under test merely by sharing it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/transport.h"

namespace s5j::testing {

// The base64 value S3 gives `data` for the checksum header `header`
// ("x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme"); nullopt for any
// other header.
std::optional<std::string> additional_checksum_of(std::string_view header, std::string_view data);

// The header of an x-amz-checksum-algorithm value ("CRC32C" ->
// "x-amz-checksum-crc32c"); empty when not one of the two.
std::string checksum_header_of_algorithm(std::string_view algorithm);

// The supported x-amz-checksum-* headers of `headers` whose value is not
// the checksum of `data` (empty: all agree or none was sent).
std::string mismatched_checksum(const http::Headers& headers, std::string_view data);

// The supported x-amz-checksum-* headers of `headers` (others left out),
// with the values computed over `data`.
http::Headers checksums_sent(const http::Headers& headers, std::string_view data);

}  // namespace s5j::testing
