// Multipart ETag maths and ETag classification.
//
// S3's ETag for a multipart upload is hex(MD5(md5(part1) || ... ||
// md5(partN))) + "-N"; for a single PUT/Copy without SSE-KMS/SSE-C it is
// hex(MD5(data)). Anything else (encrypted objects, some servers) is opaque.
// Classification looks only at the shape: a 32-hex ETag may still not be an
// MD5 (SSE-KMS), which only the caller can know from the encryption headers.
//
// Pure functions; MultipartEtagBuilder is one per upload/thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "checksum/md5.h"

namespace s5j::checksum {

// A caller bug: e.g. a multipart ETag asked of no parts.
inline constexpr char kInvalidArgument[] = "InvalidArgument";

enum class EtagKind {
  plain_md5,  // 32 hex digits
  multipart,  // 32 hex digits, '-', part count 1..10000
  opaque,     // anything else
};

struct EtagInfo {
  EtagKind kind = EtagKind::opaque;
  std::string normalized;          // quotes and W/ removed, hex lower-cased
  std::optional<Md5Digest> digest; // plain: MD5 of the data; multipart: MD5 of part MD5s
  uint32_t part_count = 0;         // multipart only
};

// Strips surrounding quotes (and a weak "W/" prefix) and lower-cases the hex
// part; other ETags are returned unchanged apart from the quotes.
std::string normalize_etag(std::string_view etag);
EtagInfo classify_etag(std::string_view etag);
bool is_plain_md5_etag(std::string_view etag);
bool is_multipart_etag(std::string_view etag);
// True when the two ETags name the same value once normalized.
bool etags_equal(std::string_view a, std::string_view b);
// True only when `etag` is plain-MD5-shaped and equals `data_md5`.
bool etag_matches_md5(std::string_view etag, const Md5Digest& data_md5);

// "hex-N" (no quotes) for the given part MD5s in part order. Fails with
// "InvalidArgument" (permanent) when there are no parts, or as Md5::create().
Result<std::string> multipart_etag(std::span<const Md5Digest> part_md5s);

// Incremental form of multipart_etag for streaming uploads.
class MultipartEtagBuilder {
 public:
  void add_part(const Md5Digest& part_md5);
  size_t part_count() const { return part_md5s_.size(); }
  Result<std::string> etag() const { return multipart_etag(part_md5s_); }

 private:
  std::vector<Md5Digest> part_md5s_;
};

}  // namespace s5j::checksum
