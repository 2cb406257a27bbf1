#include "transfer/additional_checksums.h"

#include "checksum/checksum_encoding.h"

namespace s5j::transfer {

checksum::ChecksumSelection selection_for(s3::ChecksumAlgorithm algorithm) {
  checksum::ChecksumSelection selection;
  selection.crc64nvme = algorithm == s3::ChecksumAlgorithm::crc64nvme;
  return selection;
}

s3::AdditionalChecksum additional_checksum(s3::ChecksumAlgorithm algorithm, std::optional<uint32_t> crc32c,
                                           std::optional<uint64_t> crc64nvme) {
  switch (algorithm) {
    case s3::ChecksumAlgorithm::crc32c:
      if (crc32c) return {algorithm, checksum::crc32_base64(*crc32c)};
      break;
    case s3::ChecksumAlgorithm::crc64nvme:
      if (crc64nvme) return {algorithm, checksum::crc64_base64(*crc64nvme)};
      break;
    case s3::ChecksumAlgorithm::none: break;
  }
  return {};
}

}  // namespace s5j::transfer
