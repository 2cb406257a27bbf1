// MultiHasher: every checksum a transfer needs, computed in one pass over
// the bytes as they stream through (GET body -> PUT body, or into a staged
// file), so verification never needs a second read.
//
// The data is fed to each selected algorithm in cache-sized blocks, so a
// block is read from memory once and hashed while it is hot.
//
// Ownership: owns its hashers; move-only.
// Thread safety: one object per stream/thread.
// Failure: only create() can fail, as Md5::create() does.
//
// CRC-64/NVME (x-amz-checksum-crc64nvme) is off by default: it is wanted
// only when the destination's checksum_algorithm asks for it, and costs a
// table walk of our own (crc64nvme.h) rather than ISA-L's vector code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "checksum/crc32.h"
#include "checksum/crc32c.h"
#include "checksum/crc64nvme.h"
#include "checksum/md5.h"

namespace s5j::checksum {

struct ChecksumSelection {
  bool md5 = true;
  bool crc32c = true;
  bool crc32 = false;
  bool crc64nvme = false;
};

// What a finished stream hashed to; an algorithm not selected is nullopt.
struct Checksums {
  uint64_t bytes = 0;
  std::optional<Md5Digest> md5;
  std::optional<uint32_t> crc32c;
  std::optional<uint32_t> crc32;
  std::optional<uint64_t> crc64nvme;

  // The Content-MD5 header's form; empty when MD5 was not computed.
  std::string content_md5() const;
};

class MultiHasher {
 public:
  static Result<MultiHasher> create(ChecksumSelection selection = {});

  void update(std::span<const unsigned char> data);
  void update(std::string_view data);
  uint64_t bytes() const { return bytes_; }
  // Checksums of everything fed since creation or the last finish(); the
  // hasher then starts over with the same selection.
  Checksums finish();

 private:
  MultiHasher(ChecksumSelection selection, std::optional<Md5> md5)
      : selection_(selection), md5_(std::move(md5)) {}
  ChecksumSelection selection_;
  std::optional<Md5> md5_;
  Crc32c crc32c_;
  Crc32 crc32_;
  Crc64Nvme crc64nvme_;
  uint64_t bytes_ = 0;
};

}  // namespace s5j::checksum
