// PartStream: the bytes of one part of a multipart upload, handed to the
// UploadPart's body reader as they come, with their CRC-32C
// (MultipartUploader::stream_parts). Two kinds: a ranged GET of the source
// (SourceStream, the direct copy) and a range of a staged file
// (StagedPartStream, the relay's upload leg). A CRC-64/NVME too when
// asked (the destination's checksum_algorithm): it costs a table walk of its
// own, so only then.
//
// Thread safety: one reader thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/error.h"
#include "checksum/crc64nvme.h"

namespace s5j::transfer {

class PartStream {
 public:
  virtual ~PartStream() = default;
  // Up to `capacity` bytes; 0 only after the whole part. A stream that
  // cannot deliver the part's bytes fails (permanent: a retry of the
  // UploadPart opens a new stream).
  virtual Result<size_t> read(char* out, size_t capacity) = 0;
  // Of the bytes handed out so far.
  virtual uint32_t crc32c() const = 0;
  // Payload bytes fetched from a remote source for it (0 for a local file).
  virtual uint64_t bytes_downloaded() const = 0;
  // Computes a CRC-64/NVME of the bytes handed out from now on (call it
  // before the first read); crc64nvme() is nullopt unless asked.
  void want_crc64nvme() { crc64nvme_.emplace(); }
  std::optional<uint64_t> crc64nvme() const {
    return crc64nvme_ ? std::optional<uint64_t>(crc64nvme_->value()) : std::nullopt;
  }

 protected:
  // Every read feeds the bytes it hands out here.
  void hash_handed_out(std::string_view bytes) {
    if (crc64nvme_) crc64nvme_->update(bytes);
  }

 private:
  std::optional<checksum::Crc64Nvme> crc64nvme_;
};

}  // namespace s5j::transfer
