// StagedFile: what a committed staged write produced, in the form the
// ledger's StagedCopy records (volume, path, size, MD5, CRC32C).
// Plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "checksum/multi_hasher.h"
#include "staging/staging_layout.h"

namespace s5j::staging {

struct StagedFile {
  StagedId id = 0;
  size_t volume_index = 0;  // index into Stager::volumes()
  std::string volume;       // the volume directory
  std::string path;         // <volume>/s5j-staging/<job>/<shard>/<id>
  uint64_t size = 0;
  checksum::Checksums checksums;  // the selection the stager was opened with
  // true: hashed from the buffers as they were written (every write landed
  // in order); false: hashed by a sequential read of the file after the
  // last write (out-of-order or overlapping writes).
  bool hashed_while_writing = false;
};

}  // namespace s5j::staging
