#include "checksum/multipart_etag.h"

#include <charconv>

#include "base/strings.h"
#include "checksum/checksum_encoding.h"

namespace s5j::checksum {
namespace {

bool is_hex32(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string_view strip_quotes(std::string_view e) {
  e = trim(e);
  if (e.starts_with("W/")) e.remove_prefix(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

}  // namespace

EtagInfo classify_etag(std::string_view etag) {
  EtagInfo info;
  const std::string_view e = strip_quotes(etag);
  info.normalized = std::string(e);
  if (is_hex32(e)) {
    info.kind = EtagKind::plain_md5;
    info.normalized = to_lower(e);
    info.digest = parse_md5_hex(e);
    return info;
  }
  const size_t dash = e.find('-');
  if (dash == 32 && is_hex32(e.substr(0, 32))) {
    const std::string_view count = e.substr(33);
    uint32_t n = 0;
    auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    // No sign, no leading zeros: S3 prints the count plainly.
    if (ec == std::errc() && ptr == count.data() + count.size() && !count.empty() && count.front() != '0' &&
        n >= 1 && n <= 10'000) {
      info.kind = EtagKind::multipart;
      info.normalized = to_lower(e);
      info.digest = parse_md5_hex(e.substr(0, 32));
      info.part_count = n;
    }
  }
  return info;
}

std::string normalize_etag(std::string_view etag) { return classify_etag(etag).normalized; }
bool is_plain_md5_etag(std::string_view etag) { return classify_etag(etag).kind == EtagKind::plain_md5; }
bool is_multipart_etag(std::string_view etag) { return classify_etag(etag).kind == EtagKind::multipart; }
bool etags_equal(std::string_view a, std::string_view b) { return normalize_etag(a) == normalize_etag(b); }

bool etag_matches_md5(std::string_view etag, const Md5Digest& data_md5) {
  const EtagInfo info = classify_etag(etag);
  return info.kind == EtagKind::plain_md5 && info.digest == data_md5;
}

Result<std::string> multipart_etag(std::span<const Md5Digest> part_md5s) {
  if (part_md5s.empty()) {
    return make_error(ErrorKind::permanent, kInvalidArgument, "a multipart ETag needs at least one part");
  }
  auto md5 = Md5::create();
  if (!md5) return std::unexpected(md5.error());
  for (const auto& d : part_md5s) md5->update(d);
  return md5_hex(md5->finish()) + "-" + std::to_string(part_md5s.size());
}

void MultipartEtagBuilder::add_part(const Md5Digest& part_md5) { part_md5s_.push_back(part_md5); }

}  // namespace s5j::checksum
