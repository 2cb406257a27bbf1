// The decisions of `s5j verify`: is the destination object still the copy
// the ledger recorded as verified? Pure functions over a ledger record and
// what the destination says (listing/HEAD) or what its bytes hash to.
//
// By metadata (size and ETag), in this order:
//   missing     no object at the destination key
//   different   the size differs; or the destination's ETags are known to be
//               the MD5 of the bytes for this object (at verification its
//               plain ETag equalled the MD5 read from the source) and the
//               plain ETag now differs from that MD5
//   ok          the ETag is the one recorded at verification (the object was
//               not rewritten since), or is the MD5 of the source bytes, or
//               is the source's own multipart ETag
//   ok / different by checksum  the ETag proves nothing (changed, opaque:
//               SSE-KMS, or multipart of another layout) but the destination
//               answered a whole-object additional checksum (HEAD with
//               checksum mode: x-amz-checksum-crc64nvme / -crc32c) of an
//               algorithm whose value the ledger recorded over the source
//               bytes: equal is ok (VerdictDetail::by_checksum), a different
//               whole-object value is different; a composite one ("...-N",
//               the CRC of the part CRCs) proves nothing either way
//   unproven    the ETag changed and is multipart-shaped or opaque: a
//               different multipart ETag means different bytes or only a
//               different part layout (and SSE-KMS ETags are not digests),
//               so only the bytes can tell: `verify --deep` reads them.
// By the bytes read back (--deep): the byte count must equal the size, and
// the MD5 and CRC-32C must equal those the ledger recorded from the source;
// a record verified by ETag equality alone (server-side copy, found
// identical) is compared by the MD5 against a plain source ETag, or by the
// multipart ETag rebuilt from the bytes cut into the destination's parts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "checksum/md5.h"
#include "ledger/records.h"

namespace s5j::ops {

enum class Verdict { ok, missing, different, unproven };

std::string_view to_string(Verdict verdict);

struct VerdictDetail {
  Verdict verdict = Verdict::ok;
  std::string detail;  // why, for the report and the event log
  bool by_checksum = false;  // decided by the destination's additional checksum
};

// What the destination lists or HEADs for the object.
struct DestinationObject {
  uint64_t size = 0;
  std::string etag;  // without quotes
  // The additional checksums a HEAD with checksum mode answered (base64 as
  // sent); nullopt when not asked or not answered.
  std::optional<std::string> checksum_crc32c;
  std::optional<std::string> checksum_crc64nvme;
};

// True when the destination's additional checksums could settle what
// compare_metadata found unproven: the record holds a CRC of the source
// bytes (CRC-32C always, CRC-64/NVME with that algorithm).
bool checksum_may_prove(const ledger::ObjectRecord& record);

VerdictDetail compare_metadata(const ledger::ObjectRecord& record, const std::optional<DestinationObject>& dest);

// What reading the destination object back gave.
struct ReadBack {
  uint64_t bytes = 0;
  checksum::Md5Digest md5{};
  uint32_t crc32c = 0;
  // "hex-N" rebuilt from the MD5s of the parts (the stream cut where the
  // destination's parts are learned or inferred to end), when the record
  // holds no checksum and its source ETag is multipart-shaped.
  std::optional<std::string> multipart_etag;
};

// True when compare_bytes needs ReadBack::multipart_etag for this record.
bool needs_part_rebuild(const ledger::ObjectRecord& record);

VerdictDetail compare_bytes(const ledger::ObjectRecord& record, const ReadBack& read);

}  // namespace s5j::ops
