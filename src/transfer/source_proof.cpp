#include "transfer/source_proof.h"

#include "base/strings.h"
#include "ledger/transition.h"

namespace s5j::transfer {
namespace {

// Under SSE-KMS, DSSE or SSE-C the ETag is not the MD5 of the data even
// when it looks like one.
bool etag_is_not_md5(const http::Headers& headers) {
  if (auto sse = http::find_header(headers, "x-amz-server-side-encryption"))
    if (starts_with_icase(*sse, "aws:kms")) return true;
  return http::find_header(headers, "x-amz-server-side-encryption-customer-algorithm").has_value();
}

}  // namespace

checksum::EtagInfo source_etag_info(const std::string& etag, const http::Headers& headers) {
  auto info = checksum::classify_etag(etag);
  if (etag_is_not_md5(headers)) info.kind = checksum::EtagKind::opaque;
  return info;
}

std::optional<uint64_t> learn_source_part_size(s3::S3Client& source, const std::string& bucket,
                                               const std::string& key, uint64_t size, const checksum::EtagInfo& info) {
  if (info.kind != checksum::EtagKind::multipart || info.part_count <= 1) return std::nullopt;
  // Servers that address parts answer part 1's length; Ceph ignores
  // partNumber and answers the whole object, which teaches nothing.
  auto part1 = source.head_object(bucket, key, {.part_number = 1});
  if (part1 && part1->size < size) return part1->size;
  return std::nullopt;
}

Result<std::string> prove_multipart_layout(const CopyPartPlan& plan, const std::string& rebuilt_etag,
                                           const std::string& source_etag) {
  if (checksum::etags_equal(rebuilt_etag, source_etag)) return std::string("source multipart ETag reproduced from the bytes read");
  if (plan.learned)
    return make_error(ErrorKind::permanent, ledger::kChecksumMismatch,
                      "the part MD5s of the bytes read give ETag " + rebuilt_etag + ", the source has " + source_etag);
  return std::string("CRC32C of bytes read (source part layout not learnable)");
}

}  // namespace s5j::transfer
