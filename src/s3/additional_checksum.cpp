#include "s3/additional_checksum.h"

#include "base/strings.h"

namespace s5j::s3 {

std::string_view checksum_algorithm_name(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::crc32c: return "CRC32C";
    case ChecksumAlgorithm::crc64nvme: return "CRC64NVME";
    case ChecksumAlgorithm::none: break;
  }
  return {};
}

std::string_view checksum_algorithm_key(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::crc32c: return "crc32c";
    case ChecksumAlgorithm::crc64nvme: return "crc64nvme";
    case ChecksumAlgorithm::none: break;
  }
  return "none";
}

std::string_view checksum_header_name(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::crc32c: return "x-amz-checksum-crc32c";
    case ChecksumAlgorithm::crc64nvme: return "x-amz-checksum-crc64nvme";
    case ChecksumAlgorithm::none: break;
  }
  return {};
}

std::string_view checksum_part_element(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::crc32c: return "ChecksumCRC32C";
    case ChecksumAlgorithm::crc64nvme: return "ChecksumCRC64NVME";
    case ChecksumAlgorithm::none: break;
  }
  return {};
}

http::Headers upload_checksum_headers(const AdditionalChecksum& checksum) {
  if (checksum.empty()) return {};
  return {{std::string(checksum_header_name(checksum.algorithm)), checksum.value},
          {"x-amz-sdk-checksum-algorithm", std::string(checksum_algorithm_name(checksum.algorithm))}};
}

http::Headers create_upload_checksum_headers(ChecksumAlgorithm algorithm) {
  if (algorithm == ChecksumAlgorithm::none) return {};
  return {{"x-amz-checksum-algorithm", std::string(checksum_algorithm_name(algorithm))},
          {"x-amz-checksum-type", "FULL_OBJECT"}};
}

http::Headers complete_upload_checksum_headers(const AdditionalChecksum& whole) {
  if (whole.empty()) return {};
  return {{std::string(checksum_header_name(whole.algorithm)), whole.value}, {"x-amz-checksum-type", "FULL_OBJECT"}};
}

std::optional<std::string> returned_checksum(const http::Headers& headers, ChecksumAlgorithm algorithm) {
  if (algorithm == ChecksumAlgorithm::none) return std::nullopt;
  const auto value = http::find_header(headers, checksum_header_name(algorithm));
  if (!value) return std::nullopt;
  const std::string v(trim(*value));
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace s5j::s3
