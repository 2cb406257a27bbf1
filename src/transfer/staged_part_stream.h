// StagedPartStream: one part of a staged file as a PartStream, for the
// relay's upload leg to stream parts into UploadPart (stream_parts) without
// holding them in memory or hashing more than a CRC-32C. A file that ends
// before the part does fails with StagedCorrupt (permanent).
//
// Thread safety: one reader thread; the reader must outlive the stream.
#pragma once

#include <cstdint>

#include "checksum/crc32c.h"
#include "staging/staged_reader.h"
#include "transfer/part_stream.h"

namespace s5j::transfer {

class StagedPartStream final : public PartStream {
 public:
  StagedPartStream(const staging::StagedReader& reader, uint64_t offset, uint64_t length)
      : reader_(reader), offset_(offset), length_(length) {}

  Result<size_t> read(char* out, size_t capacity) override;
  uint32_t crc32c() const override { return crc_.value(); }
  uint64_t bytes_downloaded() const override { return 0; }

 private:
  const staging::StagedReader& reader_;
  const uint64_t offset_;
  const uint64_t length_;
  uint64_t handed_out_ = 0;
  checksum::Crc32c crc_;
};

}  // namespace s5j::transfer
