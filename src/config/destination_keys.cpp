// The keys only the `destination` section takes: how objects land there
// (storage class, server-side encryption, tags, canned ACL, metadata). The
// walker finds them only under `destination`; under `source` the message
// says where they belong.
#include <algorithm>
#include <cctype>
#include <expected>
#include <span>

#include "base/strings.h"
#include "config/key_table.h"

namespace s5j::config::detail {
namespace {

// AWS's storage classes, for the message about one spelt otherwise.
constexpr std::string_view kAwsStorageClasses[] = {
    "STANDARD",   "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
    "GLACIER_IR", "DEEP_ARCHIVE",       "OUTPOSTS",    "SNOW",       "EXPRESS_ONEZONE"};

// S3's canned ACLs for objects.
constexpr std::string_view kCannedAcls[] = {"private",          "public-read",       "public-read-write",
                                            "authenticated-read", "aws-exec-read",   "bucket-owner-read",
                                            "bucket-owner-full-control"};

// The system metadata a `metadata` map may set by its header name; any
// other name is user metadata (x-amz-meta-NAME).
constexpr std::string_view kSystemMetadata[] = {"content-type",     "cache-control", "content-disposition",
                                                "content-encoding", "content-language", "expires"};

constexpr size_t kMaxTags = 10;             // S3's limits on object tags
constexpr size_t kMaxTagKeyChars = 128;
constexpr size_t kMaxTagValueChars = 256;
constexpr size_t kMaxUserMetadataBytes = 2048;  // S3: names and values of x-amz-meta-* together

std::string upper_case(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

std::string joined(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

// Unicode characters of UTF-8 text (S3 counts tag lengths in characters).
size_t utf8_chars(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7F; });
}

Problem dest_storage_class(Ctx& c, const Value& v) {
  const std::string& s = v.text;
  const bool token = std::all_of(s.begin(), s.end(), [](unsigned char ch) {
    return std::isupper(ch) || std::isdigit(ch) || ch == '_' || ch == '-';
  });
  if (!token) {
    const std::string upper = upper_case(s);
    const bool aws = std::find(std::begin(kAwsStorageClasses), std::end(kAwsStorageClasses), upper) !=
                     std::end(kAwsStorageClasses);
    if (aws) return "is spelt in upper case: write " + in_quotes(upper) + " instead of " + in_quotes(s);
    return "must be an upper-case storage class: one of AWS's (" + joined(kAwsStorageClasses) +
           ") or an appliance's own in upper case, got " + in_quotes(s);
  }
  c.side->landing.storage_class = s;
  return std::nullopt;
}

Problem dest_sse(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, std::string_view> choices[] = {{"AES256", "AES256"},
                                                                          {"aws:kms", "aws:kms"}};
  std::string_view picked;
  if (auto problem = pick(v.text, choices, picked)) return *problem + " (AES256: SSE-S3; aws:kms: SSE-KMS)";
  c.side->landing.sse = std::string(picked);
  return std::nullopt;
}

Problem dest_sse_kms_key_id(Ctx& c, const Value& v) {
  if (has_control(v.text) || v.text.find(' ') != std::string::npos)
    return "must be a KMS key id, ARN or alias without spaces, got " + in_quotes(v.text);
  c.side->landing.sse_kms_key_id = v.text;
  return std::nullopt;
}

Problem dest_tags(Ctx& c, const Value& v) {
  if (v.entries.size() > kMaxTags)
    return "has " + std::to_string(v.entries.size()) + " tags; S3 allows at most 10 per object";
  for (const auto& [name, value] : v.entries) {
    if (name.empty()) return "has an empty tag name";
    if (utf8_chars(name) > kMaxTagKeyChars)
      return "tag " + in_quotes(name) + " has a name longer than S3's 128 characters";
    if (utf8_chars(value) > kMaxTagValueChars)
      return "tag " + in_quotes(name) + " has a value longer than S3's 256 characters";
    if (has_control(name) || has_control(value)) return "tag " + in_quotes(name) + " holds a control character";
    if (starts_with_icase(name, "aws:")) return "tag " + in_quotes(name) + " uses the prefix 'aws:', which AWS reserves";
  }
  c.side->landing.tags = v.entries;
  return std::nullopt;
}

Problem dest_acl(Ctx& c, const Value& v) {
  const std::string acl = to_lower(v.text);
  if (std::find(std::begin(kCannedAcls), std::end(kCannedAcls), acl) == std::end(kCannedAcls))
    return "must be one of S3's canned ACLs (" + joined(kCannedAcls) + "), got " + in_quotes(v.text);
  c.side->landing.acl = acl;
  return std::nullopt;
}

// One entry of a `metadata` map: its header name, or the problem.
std::expected<std::string, std::string> metadata_header_name(const std::string& name) {
  const std::string lower = to_lower(name);
  const bool token = !lower.empty() && std::all_of(lower.begin(), lower.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
  });
  if (!token) return std::unexpected("name " + in_quotes(name) + " must be letters, digits, '-', '_' or '.'");
  if (std::find(std::begin(kSystemMetadata), std::end(kSystemMetadata), lower) != std::end(kSystemMetadata))
    return lower;
  if (lower.starts_with("x-amz-meta-")) return lower.size() > 11 ? std::expected<std::string, std::string>(lower)
                                                                : std::unexpected("name 'x-amz-meta-' needs a name after it");
  if (lower.starts_with("x-amz-") || lower.starts_with("content-"))
    return std::unexpected("name " + in_quotes(name) + " is no metadata S3 stores; use one of " +
                           joined(kSystemMetadata) + ", or a plain name for user metadata (x-amz-meta-NAME)");
  return "x-amz-meta-" + lower;
}

Problem dest_metadata(Ctx& c, const Value& v) {
  LandingConfig& landing = c.side->landing;
  if (!v.is_map) {
    static const std::pair<std::string_view, MetadataMode> choices[] = {{"copy", MetadataMode::copy},
                                                                        {"none", MetadataMode::none}};
    if (auto problem = pick(v.text, choices, landing.metadata))
      return *problem + ", or name: value lines (e.g. content-type: text/csv)";
    return std::nullopt;
  }
  landing.metadata = MetadataMode::given;
  landing.metadata_headers.clear();
  size_t user_bytes = 0;
  for (const auto& [name, value] : v.entries) {
    auto header = metadata_header_name(name);
    if (!header) return header.error();
    const std::string_view trimmed = trim(value);
    if (std::any_of(trimmed.begin(), trimmed.end(), [](unsigned char ch) { return ch < 0x20 || ch >= 0x7F; }))
      return in_quotes(name) + " must be printable ASCII (HTTP headers carry nothing else)";
    const bool duplicate = std::any_of(landing.metadata_headers.begin(), landing.metadata_headers.end(),
                                       [&](const auto& h) { return h.first == *header; });
    if (duplicate) return "names " + in_quotes(*header) + " twice; keep one";
    if (header->starts_with("x-amz-meta-")) user_bytes += header->size() - 11 + trimmed.size();
    landing.metadata_headers.emplace_back(*header, std::string(trimmed));
  }
  if (user_bytes > kMaxUserMetadataBytes)
    return "holds " + std::to_string(user_bytes) + " bytes of user metadata; S3 allows at most 2 KiB";
  return std::nullopt;
}

using S = Section;
using T = Type;

const Key kDestinationKeys[] = {
    {S::destination, "storage_class", T::string, dest_storage_class},
    {S::destination, "sse", T::string, dest_sse},
    {S::destination, "sse_kms_key_id", T::string, dest_sse_kms_key_id},
    {S::destination, "tags", T::mapping, dest_tags},
    {S::destination, "acl", T::string, dest_acl},
    {S::destination, "metadata", T::word_or_mapping, dest_metadata},
};

}  // namespace

std::span<const Key> destination_keys() { return kDestinationKeys; }

Problem check_landing(const Ctx& ctx, int& line) {
  const LandingConfig& landing = ctx.cfg.destination.landing;
  if (!landing.sse_kms_key_id.empty() && landing.sse != "aws:kms") {
    const auto at = ctx.seen.find("destination.sse_kms_key_id");
    line = at == ctx.seen.end() ? 0 : at->second.first;
    return "destination.sse_kms_key_id needs 'sse: aws:kms' in destination (the key id names the KMS key of SSE-KMS)";
  }
  return std::nullopt;
}

}  // namespace s5j::config::detail
