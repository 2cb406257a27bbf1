// Parsing of S3 listing pages: ListObjectsV2 / ListObjects, ListBuckets and
// ListMultipartUploads.
//
// Listing pages are on the hot path (100 pages for a 100,000-object bucket),
// so the parsers walk each element's children once and dispatch on the name
// instead of doing one child() lookup per field, count entries before
// reserving, and decode keys only when they contain '%' or '+'.
#include "s3/s3_xml.h"

#include <charconv>
#include <cstring>

#include "base/strings.h"
#include "s3/s3_xml_reading.h"

namespace s5j::s3 {

using namespace xml;

namespace {

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

}  // namespace

Result<ListPage> parse_list_objects_v2(std::string_view xml) { return parse_list(xml, true); }

Result<ListPage> parse_list_objects_v1(std::string_view xml) { return parse_list(xml, false); }

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

}  // namespace s5j::s3
