#include "ops/verify_compare.h"

#include <cstdio>

#include "checksum/checksum_encoding.h"
#include "checksum/multipart_etag.h"

namespace s5j::ops {
namespace {

using checksum::EtagKind;

std::string crc_text(uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", crc);
  return buf;
}

// The MD5 of the source bytes, when the ledger knows it: computed in flight,
// or a plain source ETag that a server-side copy or an identical object
// found at the destination was proven by (dest ETag == source ETag).
std::optional<checksum::Md5Digest> known_md5(const ledger::ObjectRecord& r) {
  if (r.md5) return *r.md5;
  const auto source = checksum::classify_etag(r.source_etag);
  if (source.kind == EtagKind::plain_md5 && checksum::etags_equal(r.dest_etag, r.source_etag)) return source.digest;
  return std::nullopt;
}

std::string crc64_text(uint64_t crc) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(crc));
  return buf;
}

// One algorithm's comparison: nullopt when it cannot decide (not recorded,
// not answered, or a composite value).
std::optional<VerdictDetail> by_checksum(const std::optional<std::string>& answered, const std::string& recorded,
                                         std::string_view header, const std::string& recorded_text) {
  if (!answered || recorded.empty()) return std::nullopt;
  if (*answered == recorded)
    return VerdictDetail{Verdict::ok, std::string(header) + " is the source bytes' (" + recorded_text + ")", true};
  if (answered->find('-') != std::string::npos) return std::nullopt;  // composite: a CRC of part CRCs
  return VerdictDetail{Verdict::different,
                       std::string(header) + " " + *answered + " is not the source bytes' " + recorded +
                           " (" + recorded_text + ")",
                       true};
}

std::optional<VerdictDetail> compare_checksums(const ledger::ObjectRecord& r, const DestinationObject& dest) {
  if (r.crc64nvme) {
    if (auto v = by_checksum(dest.checksum_crc64nvme, checksum::crc64_base64(*r.crc64nvme),
                             "x-amz-checksum-crc64nvme", "CRC-64/NVME " + crc64_text(*r.crc64nvme)))
      return v;
  }
  if (r.crc32c) {
    if (auto v = by_checksum(dest.checksum_crc32c, checksum::crc32_base64(*r.crc32c), "x-amz-checksum-crc32c",
                             "CRC-32C " + crc_text(*r.crc32c)))
      return v;
  }
  return std::nullopt;
}

}  // namespace

bool checksum_may_prove(const ledger::ObjectRecord& r) { return r.crc32c.has_value() || r.crc64nvme.has_value(); }

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok: return "ok";
    case Verdict::missing: return "missing";
    case Verdict::different: return "different";
    case Verdict::unproven: return "unproven";
  }
  return "unknown";
}

VerdictDetail compare_metadata(const ledger::ObjectRecord& r, const std::optional<DestinationObject>& dest) {
  if (!dest) return {Verdict::missing, "missing at the destination"};
  if (dest->size != r.size) {
    return {Verdict::different,
            "size " + std::to_string(dest->size) + " at the destination, " + std::to_string(r.size) + " verified"};
  }
  const auto now = checksum::classify_etag(dest->etag);
  if (!r.dest_etag.empty() && checksum::etags_equal(dest->etag, r.dest_etag))
    return {Verdict::ok, "unchanged since verified"};
  const auto md5 = known_md5(r);
  if (md5 && checksum::etag_matches_md5(dest->etag, *md5)) return {Verdict::ok, "ETag is the MD5 of the source bytes"};
  if (now.kind == EtagKind::multipart && checksum::etags_equal(dest->etag, r.source_etag))
    return {Verdict::ok, "ETag is the source's multipart ETag"};
  if (auto v = compare_checksums(r, *dest)) return *v;
  // A plain ETag is only known to be an MD5 where this destination proved
  // it for this object (under SSE-KMS a 32-hex ETag is not a digest).
  const bool dest_etags_are_md5 = md5 && checksum::etag_matches_md5(r.dest_etag, *md5);
  if (now.kind == EtagKind::plain_md5 && dest_etags_are_md5) {
    return {Verdict::different,
            "ETag " + now.normalized + " is not the MD5 of the source bytes (" + checksum::md5_hex(*md5) + ")"};
  }
  return {Verdict::unproven, "ETag changed from " + (r.dest_etag.empty() ? std::string("(none)") : r.dest_etag) +
                                 " to " + now.normalized +
                                 "; a multipart or opaque ETag cannot prove the bytes (verify --deep reads them)"};
}

bool needs_part_rebuild(const ledger::ObjectRecord& r) {
  return !known_md5(r) && !r.crc32c && checksum::classify_etag(r.source_etag).kind == EtagKind::multipart;
}

VerdictDetail compare_bytes(const ledger::ObjectRecord& r, const ReadBack& read) {
  if (read.bytes != r.size) {
    return {Verdict::different,
            "read " + std::to_string(read.bytes) + " bytes back, " + std::to_string(r.size) + " verified"};
  }
  const auto md5 = known_md5(r);
  if (md5 && read.md5 != *md5) {
    return {Verdict::different, "MD5 of the bytes read back " + checksum::md5_hex(read.md5) + ", source " +
                                    checksum::md5_hex(*md5)};
  }
  if (r.crc32c && read.crc32c != *r.crc32c) {
    return {Verdict::different,
            "CRC-32C of the bytes read back " + crc_text(read.crc32c) + ", source " + crc_text(*r.crc32c)};
  }
  if (md5 || r.crc32c) return {Verdict::ok, "bytes read back match the source checksums"};
  if (read.multipart_etag) {
    if (checksum::etags_equal(*read.multipart_etag, r.source_etag))
      return {Verdict::ok, "multipart ETag rebuilt from the parts read back equals the source's"};
    return {Verdict::unproven, "multipart ETag rebuilt from the parts read back (" + *read.multipart_etag +
                                   ") is not the source's (" + r.source_etag +
                                   "): different bytes or a different part layout"};
  }
  return {Verdict::unproven, "the ledger holds no checksum of the source bytes to compare with"};
}

}  // namespace s5j::ops
