// S3 XML parsing and request-body building with pugixml.
//
// Listing pages are on the hot path (100 pages for a 100,000-object bucket),
// so the parsers walk each element's children once and dispatch on the name
// instead of doing one child() lookup per field, count entries before
// reserving, and decode keys only when they contain '%' or '+'.
#include "s3/s3_xml.h"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include "base/strings.h"
#include "s3/s3_error.h"
#include "s3/uri_encode.h"

namespace s5j::s3 {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// - parse_escapes: &quot; &#x01; etc. (Ceph writes control characters in
//   keys as character references, which pugixml decodes without complaint).
// - parse_ws_pcdata_single: keeps "<Key> </Key>" (a key made of spaces is a
//   valid key) while dropping the indentation between elements.
// - no parse_eol: a raw CR inside a key can only come from a server writing
//   the key bytes verbatim; turning it into LF would name another object.
// - parse_embed_pcdata: the text lives in the element node (less memory and
//   one pointer hop less per field).
constexpr unsigned kParseFlags = pugi::parse_escapes | pugi::parse_cdata |
                                 pugi::parse_ws_pcdata_single | pugi::parse_embed_pcdata;

bool name_is(const pugi::xml_node& n, const char* name) { return std::strcmp(n.name(), name) == 0; }

std::string_view text_of(const pugi::xml_node& n) { return n.child_value(); }

Error malformed(std::string_view op, std::string_view what) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = kMalformedXml;
  e.message = std::string(op) + ": " + std::string(what);
  return e;
}

// Printable excerpt of a bad value for an error message.
std::string excerpt(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (v.size() > 64) out += "...";
  return out;
}

ErrorBody error_body_from(const pugi::xml_node& root) {
  ErrorBody b;
  for (auto c = root.first_child(); c; c = c.next_sibling()) {
    const char* n = c.name();
    if (std::strcmp(n, "Code") == 0)
      b.code = trim(text_of(c));
    else if (std::strcmp(n, "Message") == 0)
      b.message = trim(text_of(c));
    else if (std::strcmp(n, "RequestId") == 0)
      b.request_id = trim(text_of(c));
    else if (std::strcmp(n, "Region") == 0)
      b.region = trim(text_of(c));
    else if (std::strcmp(n, "Resource") == 0)
      b.resource = trim(text_of(c));
  }
  return b;
}

Error error_from_body(const ErrorBody& b, std::string_view op) {
  Error e;
  e.code = b.code.empty() ? std::string(kInternalError) : b.code;
  // One classification for the whole client (s3_error.h): InternalError,
  // SlowDown, ... retryable; NoSuchKey, InvalidPart, ... permanent.
  e.kind = classify_s3_error(200, e.code);
  e.http_status = 200;
  e.request_id = b.request_id;
  e.message = std::string(op) + " answered with an error document";
  if (!b.message.empty()) e.message += ": " + b.message;
  return e;
}

// Leading whitespace is legal for CompleteMultipartUpload (S3 sends spaces
// to keep the connection alive before the document) and a UTF-8 BOM may
// precede the document; pugixml wants the declaration first, so skip both.
std::string_view skip_prologue_noise(std::string_view xml) {
  for (;;) {
    if (xml.starts_with("\xEF\xBB\xBF")) {
      xml.remove_prefix(3);
      continue;
    }
    if (!xml.empty() && (xml.front() == ' ' || xml.front() == '\t' || xml.front() == '\n' || xml.front() == '\r')) {
      xml.remove_prefix(1);
      continue;
    }
    return xml;
  }
}

// Loads `xml` and returns its root element when it is named `expected` (or
// one of `expected`, `also`). An <Error> root becomes the S3 error.
Result<pugi::xml_node> load_root(pugi::xml_document& doc, std::string_view xml, std::string_view op,
                                 const char* expected, const char* also = nullptr) {
  xml = skip_prologue_noise(xml);
  if (xml.empty()) return std::unexpected(malformed(op, "empty response body"));
  // load_buffer copies once into pugixml's own buffer and parses that in
  // place; an in-place parse of our own copy would cost the same.
  pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), kParseFlags, pugi::encoding_utf8);
  if (!r) {
    return std::unexpected(malformed(op, std::string("response is not well-formed XML (") + r.description() +
                                             " at byte " + std::to_string(r.offset) + ")"));
  }
  pugi::xml_node root = doc.document_element();
  if (!root) return std::unexpected(malformed(op, "response has no root element"));
  if (name_is(root, expected) || (also != nullptr && name_is(root, also))) return root;
  if (name_is(root, "Error")) return std::unexpected(error_from_body(error_body_from(root), op));
  return std::unexpected(malformed(op, std::string("expected <") + expected + ">, got <" + excerpt(root.name()) + ">"));
}

int digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "YYYY-MM-DDTHH:MM:SS[.fff...][Z|+HH:MM|-HH:MM|+HHMM]". Written out rather
// than calling parse_iso8601 (strptime + a string copy per call, measurable
// on 1,000-key pages) and because ListBuckets samples carry "+00:00".
std::optional<TimePoint> parse_timestamp(std::string_view s) {
  s = trim(s);
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const int h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: years 1678-2261 only.
  if (y < 1678 || y > 2261) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) ms = ms * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (; n < 3; ++n) ms *= 10;
  }
  int offset_min = 0;
  if (pos < s.size()) {
    const char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      ++pos;
      std::string_view rest = s.substr(pos);
      int oh = -1, om = -1;
      if (rest.size() == 5 && rest[2] == ':') {
        oh = digits(rest, 0, 2);
        om = digits(rest, 3, 2);
      } else if (rest.size() == 4) {
        oh = digits(rest, 0, 2);
        om = digits(rest, 2, 2);
      } else if (rest.size() == 2) {
        oh = digits(rest, 0, 2);
        om = 0;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
      offset_min = (c == '+' ? 1 : -1) * (oh * 60 + om);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  TimePoint t{std::chrono::sys_days{ymd}};
  t += std::chrono::hours(h) + std::chrono::minutes(mi - offset_min) + std::chrono::seconds(sec) +
       std::chrono::milliseconds(ms);
  return t;
}

Result<TimePoint> timestamp_field(std::string_view v, std::string_view op, const char* field) {
  if (auto t = parse_timestamp(v)) return *t;
  return std::unexpected(malformed(op, std::string("bad <") + field + "> '" + excerpt(v) + "'"));
}

Result<bool> bool_field(std::string_view v, std::string_view op, const char* field) {
  v = trim(v);
  if (iequals(v, "true")) return true;
  if (iequals(v, "false")) return false;
  return std::unexpected(malformed(op, std::string("bad <") + field + "> '" + excerpt(v) + "'"));
}

// ETags come quoted ("..."), as &quot;...&quot; (decoded by the parser), as
// a literal &quot;...&quot; from servers that escape twice, or bare (Ceph's
// CopyObjectResult and CompleteMultipartUploadResult).
std::string strip_etag(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
  } else if (v.size() >= 12 && v.starts_with("&quot;") && v.ends_with("&quot;")) {
    v = v.substr(6, v.size() - 12);
  }
  return std::string(v);
}

bool needs_form_decoding(std::string_view s) { return s.find_first_of("%+") != std::string_view::npos; }

void form_decode_in_place(std::string& s) {
  if (needs_form_decoding(s)) s = uri_decode(s, true);
}

std::string decoded(std::string_view raw, bool url_encoded) {
  if (url_encoded && needs_form_decoding(raw)) return uri_decode(raw, true);
  return std::string(raw);
}

// The next marker of an url-encoded page: AWS encodes NextMarker /
// NextKeyMarker, Ceph writes them raw. Both name the last entry, so compare
// with its encoded (as in the document) and decoded forms before falling
// back to decoding (the documented behaviour).
std::string decode_marker(std::string_view marker, std::string_view last_raw, const std::string& last_decoded,
                          bool have_last) {
  if (have_last) {
    if (marker == last_raw) return last_decoded;
    if (marker == last_decoded) return std::string(marker);
  }
  std::string m(marker);
  form_decode_in_place(m);
  return m;
}

size_t count_children(const pugi::xml_node& root, const char* name) {
  size_t n = 0;
  for (auto c = root.first_child(); c; c = c.next_sibling())
    if (name_is(c, name)) ++n;
  return n;
}

Result<ListPage> parse_list(std::string_view xml, bool v2) {
  const std::string_view op = v2 ? "ListObjectsV2" : "ListObjects";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "ListBucketResult");
  if (!root) return std::unexpected(std::move(root.error()));

  ListPage page;
  // Pre-pass: the entry count for reserve(), and EncodingType (AWS and Ceph
  // put it before the entries, but nothing promises that) so that keys are
  // decoded straight from the document instead of copied then decoded.
  size_t entries = 0;
  for (auto c = root->first_child(); c; c = c.next_sibling()) {
    if (name_is(c, "Contents"))
      ++entries;
    else if (name_is(c, "EncodingType"))
      page.url_encoded = iequals(trim(text_of(c)), "url");
  }
  page.objects.reserve(entries);
  // Raw (still encoded) text of the last key and last prefix, for the marker.
  const char* last_key_raw = nullptr;
  const char* last_prefix_raw = nullptr;
  bool have_next_marker = false;
  std::string_view next_marker_raw;

  for (auto c = root->first_child(); c; c = c.next_sibling()) {
    const char* n = c.name();
    if (std::strcmp(n, "Contents") == 0) {
      ObjectInfo& o = page.objects.emplace_back();
      bool have_key = false, have_size = false;
      for (auto f = c.first_child(); f; f = f.next_sibling()) {
        // Dispatch on the first letter: strcmp chains showed up in profiles.
        const char* fn = f.name();
        switch (fn[0]) {
          case 'K':
            if (std::strcmp(fn, "Key") == 0) {
              const char* k = f.child_value();
              o.key = decoded(k, page.url_encoded);
              last_key_raw = k;
              have_key = true;
            }
            break;
          case 'S':
            if (std::strcmp(fn, "Size") == 0) {
              std::string_view v = trim(text_of(f));
              auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.size);
              if (ec != std::errc() || p != v.data() + v.size() || v.empty())
                return std::unexpected(
                    malformed(op, "bad <Size> '" + excerpt(v) + "' for key '" + excerpt(o.key) + "'"));
              have_size = true;
            } else if (std::strcmp(fn, "StorageClass") == 0) {
              o.storage_class = trim(text_of(f));
            }
            break;
          case 'E':
            if (std::strcmp(fn, "ETag") == 0) o.etag = strip_etag(text_of(f));
            break;
          case 'L':
            if (std::strcmp(fn, "LastModified") == 0) {
              auto t = timestamp_field(text_of(f), op, "LastModified");
              if (!t) return std::unexpected(std::move(t.error()));
              o.last_modified = *t;
            }
            break;
          default:
            break;
        }
      }
      if (!have_key || o.key.empty()) return std::unexpected(malformed(op, "<Contents> without <Key>"));
      if (!have_size) return std::unexpected(malformed(op, "<Contents> without <Size> for key '" + excerpt(o.key) + "'"));
    } else if (std::strcmp(n, "CommonPrefixes") == 0) {
      // One <Prefix> per <CommonPrefixes> on AWS and Ceph; accept several.
      for (auto f = c.first_child(); f; f = f.next_sibling()) {
        if (!name_is(f, "Prefix")) continue;
        const char* p = f.child_value();
        page.common_prefixes.push_back(decoded(p, page.url_encoded));
        last_prefix_raw = p;
      }
    } else if (std::strcmp(n, "IsTruncated") == 0) {
      auto b = bool_field(text_of(c), op, "IsTruncated");
      if (!b) return std::unexpected(std::move(b.error()));
      page.is_truncated = *b;
    } else if (std::strcmp(n, "NextContinuationToken") == 0) {
      page.next_continuation_token = text_of(c);  // opaque: never decoded
    } else if (std::strcmp(n, "NextMarker") == 0) {
      have_next_marker = true;
      next_marker_raw = text_of(c);
    }
  }

  if (v2) {
    if (page.is_truncated && page.next_continuation_token.empty())
      return std::unexpected(malformed(op, "truncated page without <NextContinuationToken>"));
    return page;
  }

  // v1: the greater of the last key and the last prefix (Ceph lists all
  // CommonPrefixes before the Contents, so document order says nothing).
  const std::string* last = nullptr;
  const char* last_raw = nullptr;
  if (!page.objects.empty()) {
    last = &page.objects.back().key;
    last_raw = last_key_raw;
  }
  if (!page.common_prefixes.empty() && (last == nullptr || page.common_prefixes.back() > *last)) {
    last = &page.common_prefixes.back();
    last_raw = last_prefix_raw;
  }
  if (have_next_marker && !next_marker_raw.empty()) {
    page.next_marker = page.url_encoded
                           ? decode_marker(next_marker_raw, last_raw ? last_raw : "", last ? *last : std::string(),
                                           last != nullptr)
                           : std::string(next_marker_raw);
  } else if (page.is_truncated) {
    if (last == nullptr) return std::unexpected(malformed(op, "truncated page without keys or <NextMarker>"));
    page.next_marker = *last;
  }
  return page;
}

// Writes `s` escaped for XML element content. Not pugixml's writer: it emits
// CR raw, which every XML parser turns into LF (a DeleteObjects request would
// then name another key and S3 reports it "Deleted").
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20) {
          // TAB/LF/CR are legal as references; the others are not legal XML
          // 1.0 at all (see xml_can_carry) and the server rejects the body.
          out += "&#x";
          if (c >= 0x10) out += hex[c >> 4];
          out += hex[c & 0xF];
          out += ';';
        } else {
          out += ch;
        }
    }
  }
}

}  // namespace

Result<ListPage> parse_list_objects_v2(std::string_view xml) { return parse_list(xml, true); }

Result<ListPage> parse_list_objects_v1(std::string_view xml) { return parse_list(xml, false); }

std::optional<ErrorBody> parse_error_body(std::string_view xml) {
  xml = skip_prologue_noise(xml);
  if (xml.empty()) return std::nullopt;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), kParseFlags, pugi::encoding_utf8)) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  if (!root || !name_is(root, "Error")) return std::nullopt;
  return error_body_from(root);
}

Result<std::string> parse_initiate_multipart_upload(std::string_view xml) {
  constexpr std::string_view op = "CreateMultipartUpload";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "InitiateMultipartUploadResult");
  if (!root) return std::unexpected(std::move(root.error()));
  std::string id(trim(text_of(root->child("UploadId"))));
  if (id.empty()) return std::unexpected(malformed(op, "no <UploadId>"));
  return id;
}

Result<CompleteMultipartResult> parse_complete_multipart_upload(std::string_view xml) {
  constexpr std::string_view op = "CompleteMultipartUpload";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "CompleteMultipartUploadResult");
  if (!root) return std::unexpected(std::move(root.error()));
  CompleteMultipartResult r;
  r.etag = strip_etag(text_of(root->child("ETag")));  // Ceph 16: "<ETag></ETag>"
  r.location = trim(text_of(root->child("Location")));
  return r;
}

Result<CopyResult> parse_copy_result(std::string_view xml) {
  constexpr std::string_view op = "CopyObject";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "CopyObjectResult", "CopyPartResult");
  if (!root) return std::unexpected(std::move(root.error()));
  const std::string_view o = name_is(*root, "CopyPartResult") ? "UploadPartCopy" : op;
  CopyResult r;
  r.etag = strip_etag(text_of(root->child("ETag")));
  // The part ETag is needed for CompleteMultipartUpload; without it the
  // copy cannot be used.
  if (r.etag.empty()) return std::unexpected(malformed(o, "no <ETag>"));
  if (auto lm = root->child("LastModified")) {
    auto t = timestamp_field(text_of(lm), o, "LastModified");
    if (!t) return std::unexpected(std::move(t.error()));
    r.last_modified = *t;
  }
  return r;
}

Result<MultipartUploadsPage> parse_list_multipart_uploads(std::string_view xml) {
  constexpr std::string_view op = "ListMultipartUploads";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "ListMultipartUploadsResult");
  if (!root) return std::unexpected(std::move(root.error()));
  MultipartUploadsPage page;
  page.uploads.reserve(count_children(*root, "Upload"));
  bool url_encoded = false;
  const char* last_key_raw = nullptr;
  std::string_view next_key_raw;
  for (auto c = root->first_child(); c; c = c.next_sibling()) {
    const char* n = c.name();
    if (std::strcmp(n, "Upload") == 0) {
      MultipartUploadInfo& u = page.uploads.emplace_back();
      for (auto f = c.first_child(); f; f = f.next_sibling()) {
        if (name_is(f, "Key")) {
          last_key_raw = f.child_value();
          u.key = last_key_raw;
        } else if (name_is(f, "UploadId")) {
          u.upload_id = trim(text_of(f));
        } else if (name_is(f, "Initiated")) {
          auto t = timestamp_field(text_of(f), op, "Initiated");
          if (!t) return std::unexpected(std::move(t.error()));
          u.initiated = *t;
        }
      }
      if (u.key.empty() || u.upload_id.empty())
        return std::unexpected(malformed(op, "<Upload> without <Key> or <UploadId>"));
    } else if (std::strcmp(n, "IsTruncated") == 0) {
      auto b = bool_field(text_of(c), op, "IsTruncated");
      if (!b) return std::unexpected(std::move(b.error()));
      page.is_truncated = *b;
    } else if (std::strcmp(n, "NextKeyMarker") == 0) {
      next_key_raw = text_of(c);
    } else if (std::strcmp(n, "NextUploadIdMarker") == 0) {
      page.next_upload_id_marker = trim(text_of(c));
    } else if (std::strcmp(n, "EncodingType") == 0) {
      url_encoded = iequals(trim(text_of(c)), "url");
    }
  }
  if (url_encoded) {
    for (auto& u : page.uploads) form_decode_in_place(u.key);
    page.next_key_marker = decode_marker(next_key_raw, last_key_raw ? last_key_raw : "",
                                         page.uploads.empty() ? std::string() : page.uploads.back().key,
                                         !page.uploads.empty());
  } else {
    page.next_key_marker = next_key_raw;
  }
  if (page.is_truncated && page.next_key_marker.empty())
    return std::unexpected(malformed(op, "truncated page without <NextKeyMarker>"));
  return page;
}

Result<std::vector<BucketInfo>> parse_list_buckets(std::string_view xml) {
  constexpr std::string_view op = "ListBuckets";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "ListAllMyBucketsResult");
  if (!root) return std::unexpected(std::move(root.error()));
  std::vector<BucketInfo> out;
  pugi::xml_node buckets = root->child("Buckets");
  out.reserve(count_children(buckets, "Bucket"));
  for (auto b = buckets.child("Bucket"); b; b = b.next_sibling("Bucket")) {
    BucketInfo& info = out.emplace_back();
    info.name = trim(text_of(b.child("Name")));
    if (info.name.empty()) return std::unexpected(malformed(op, "<Bucket> without <Name>"));
    if (auto cd = b.child("CreationDate")) {
      auto t = timestamp_field(text_of(cd), op, "CreationDate");
      if (!t) return std::unexpected(std::move(t.error()));
      info.created = *t;
    }
  }
  return out;
}

Result<DeleteObjectsResult> parse_delete_objects(std::string_view xml) {
  constexpr std::string_view op = "DeleteObjects";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "DeleteResult");
  if (!root) return std::unexpected(std::move(root.error()));
  DeleteObjectsResult r;
  for (auto c = root->first_child(); c; c = c.next_sibling()) {
    if (name_is(c, "Deleted")) {
      r.deleted.emplace_back(c.child("Key").child_value());
    } else if (name_is(c, "Error")) {
      DeleteObjectsResult::Failure& f = r.errors.emplace_back();
      f.key = c.child("Key").child_value();
      f.code = trim(text_of(c.child("Code")));
      f.message = trim(text_of(c.child("Message")));
    }
  }
  return r;
}

std::string build_complete_multipart_upload(const std::vector<CompletedPart>& parts) {
  std::vector<const CompletedPart*> sorted;
  sorted.reserve(parts.size());
  for (const auto& p : parts) sorted.push_back(&p);
  // S3 rejects parts out of ascending order (InvalidPartOrder).
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const CompletedPart* a, const CompletedPart* b) { return a->part_number < b->part_number; });
  std::string out;
  out.reserve(120 + parts.size() * 96);
  out += R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  for (const CompletedPart* p : sorted) {
    out += "<Part><PartNumber>";
    out += std::to_string(p->part_number);
    out += "</PartNumber><ETag>&quot;";
    append_escaped(out, p->etag);
    out += "&quot;</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

std::string build_delete_objects(const std::vector<std::string>& keys, bool quiet) {
  std::string out;
  size_t total = 0;
  for (const auto& k : keys) total += k.size() + 32;
  out.reserve(160 + total);
  out += R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  out += quiet ? "<Quiet>true</Quiet>" : "<Quiet>false</Quiet>";
  for (const auto& k : keys) {
    out += "<Object><Key>";
    append_escaped(out, k);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

bool xml_can_carry(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t j = 1; j < len; ++j) {
      if ((s[i + j] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    // Overlong forms, surrogates, beyond U+10FFFF, and the two non-characters
    // XML excludes.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
      return false;
    i += len;
  }
  return true;
}

}  // namespace s5j::s3
