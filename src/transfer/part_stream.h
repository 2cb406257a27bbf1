// PartStream: the bytes of one part of a multipart upload, handed to the
// UploadPart's body reader as they come, with their CRC-32C
// (MultipartUploader::stream_parts). Two kinds: a ranged GET of the source
// (SourceStream, the direct copy) and a range of a staged file
// (StagedPartStream, the relay's upload leg).
//
// Thread safety: one reader thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/error.h"

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
};

}  // namespace s5j::transfer
