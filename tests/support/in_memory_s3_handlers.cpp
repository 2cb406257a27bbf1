// InMemoryS3's operations: each reads the parsed request, changes the
// in-memory state (the caller holds the lock) and builds the answer S3
// gives, XML documents included.
#include <openssl/evp.h>

#include <algorithm>
#include <ctime>

#include "base/strings.h"
#include "s3/uri_encode.h"
#include "support/in_memory_s3.h"
#include "support/in_memory_s3_checksums.h"
#include "support/in_memory_s3_parsed.h"

namespace s5j::testing {

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;

std::string unquote(std::string_view etag) {
  etag = trim(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::string quoted(const std::string& etag) { return "\"" + etag + "\""; }

std::string http_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

std::string md5_base64_of_hex(const std::string& md5_hex) {
  auto digest = from_hex(md5_hex);
  return base64_encode(std::span<const unsigned char>(digest->data(), digest->size()));
}

bool is_metadata_header(std::string_view name) {
  for (std::string_view h :
       {"content-type", "content-encoding", "content-disposition", "content-language", "cache-control", "expires"})
    if (iequals(name, h)) return true;
  return starts_with_icase(name, "x-amz-meta-");
}

http::Headers metadata_of(const http::Headers& headers) {
  http::Headers out;
  for (const auto& h : headers)
    if (is_metadata_header(h.name)) out.push_back(h);
  return out;
}

// 400 BadDigest when a Content-MD5 is sent and the body (whose MD5 is
// The landing headers of a write, names in lower case.
http::Headers landing_of(const http::Headers& headers) {
  static constexpr std::string_view kLanding[] = {"x-amz-storage-class", "x-amz-server-side-encryption",
                                                  "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-tagging",
                                                  "x-amz-acl"};
  http::Headers out;
  for (const auto& h : headers)
    for (auto name : kLanding)
      if (iequals(h.name, name)) out.push_back({std::string(name), h.value});
  return out;
}

bool kms_requested(const http::Headers& headers) {
  auto sse = http::find_header(headers, "x-amz-server-side-encryption");
  return sse && trim(*sse) == "aws:kms";
}

// `body_md5_hex`) has another MD5.
std::optional<InMemoryS3::Answer> check_content_md5(const InMemoryS3::Parsed& p, const std::string& body_md5_hex) {
  auto sent = p.header("Content-MD5");
  if (sent && trim(*sent) != md5_base64_of_hex(body_md5_hex))
    return error_answer(400, "BadDigest", p.bucket + "/" + p.key);
  return std::nullopt;
}

// "bytes=a-b" / "bytes=a-" within `size`; nullopt when unsatisfiable.
std::optional<std::pair<uint64_t, uint64_t>> parse_range(std::string_view spec, uint64_t size) {
  if (!spec.starts_with("bytes=")) return std::nullopt;
  spec.remove_prefix(6);
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const uint64_t first = std::strtoull(std::string(spec.substr(0, dash)).c_str(), nullptr, 10);
  uint64_t last = size == 0 ? 0 : size - 1;
  if (dash + 1 < spec.size())
    last = std::min<uint64_t>(last, std::strtoull(std::string(spec.substr(dash + 1)).c_str(), nullptr, 10));
  if (first >= size || last < first) return std::nullopt;
  return std::pair{first, last};
}

// Text of each <name>...</name> in `xml`, in order (the simple documents
// the client sends have no nesting of the same name).
std::vector<std::string> elements(std::string_view xml, const std::string& name) {
  std::vector<std::string> out;
  const std::string open = "<" + name + ">", close = "</" + name + ">";
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at)) {
    at += open.size();
    auto end = xml.find(close, at);
    if (end == std::string_view::npos) break;
    out.emplace_back(xml.substr(at, end - at));
    at = end + close.size();
  }
  return out;
}

std::string xml_unescape(std::string text) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&quot;", "\""}, {"&apos;", "'"}, {"&lt;", "<"},   {"&gt;", ">"},
      {"&#x9;", "\t"},  {"&#xA;", "\n"}, {"&#xD;", "\r"}, {"&amp;", "&"}};
  for (auto [entity, ch] : kEntities)
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + ch.size()))
      text.replace(at, entity.size(), ch);
  return text;
}

InMemoryS3::Answer xml_answer(std::string body) {
  InMemoryS3::Answer a;
  a.headers.push_back({"Content-Type", "application/xml"});
  a.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + std::move(body);
  return a;
}

}  // namespace

InMemoryS3::Answer InMemoryS3::handle(const Parsed& p, S3Op op) {
  const std::string resource = p.bucket + (p.has_key ? "/" + p.key : "");
  if (op == S3Op::list_buckets) {
    std::string xml = "<ListAllMyBucketsResult><Buckets>";
    for (const auto& [name, objects] : buckets_)
      xml += "<Bucket><Name>" + name + "</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>";
    return xml_answer(xml + "</Buckets></ListAllMyBucketsResult>");
  }
  if (op == S3Op::create_bucket) {
    buckets_[p.bucket];
    return {};
  }
  if (op == S3Op::unknown) return error_answer(400, "InvalidRequest", resource);
  if (!buckets_.contains(p.bucket)) return error_answer(404, "NoSuchBucket", p.bucket);
  auto& objects = buckets_[p.bucket];
  switch (op) {
    case S3Op::head_bucket:
      return {};
    case S3Op::list_objects_v2:
      return list_objects(p, true);
    case S3Op::list_objects_v1:
      return list_objects(p, false);
    case S3Op::list_multipart_uploads:
      return list_uploads(p);
    case S3Op::head_object:
    case S3Op::head_object_part:
      return get_or_head(p, true);
    case S3Op::get_object:
      return get_or_head(p, false);
    case S3Op::put_object:
      return put_object(p);
    case S3Op::delete_object: {
      objects.erase(p.key);
      Answer a;
      a.status = 204;
      return a;
    }
    case S3Op::delete_objects:
      return delete_objects(p);
    case S3Op::copy_object:
      return copy(p, false);
    case S3Op::upload_part_copy:
      return copy(p, true);
    case S3Op::create_multipart_upload:
      return create_upload(p);
    case S3Op::upload_part:
      return upload_part(p);
    case S3Op::complete_multipart_upload:
      return complete_upload(p);
    case S3Op::abort_multipart_upload: {
      auto it = uploads_.find(p.query_value("uploadId"));
      if (it == uploads_.end()) return error_answer(404, "NoSuchUpload", resource);
      uploads_.erase(it);
      Answer a;
      a.status = 204;
      return a;
    }
    default:
      return error_answer(400, "InvalidRequest", resource);
  }
}

InMemoryS3::Answer InMemoryS3::list_objects(const Parsed& p, bool v2) {
  const auto& objects = buckets_[p.bucket];
  const std::string prefix = p.query_value("prefix");
  const std::string delimiter = p.query_value("delimiter");
  const bool url = p.query_value("encoding-type") == "url";
  const int max_keys = p.has_query("max-keys") ? std::atoi(p.query_value("max-keys").c_str()) : 1000;
  std::string after =
      v2 ? (p.has_query("continuation-token") ? p.query_value("continuation-token") : p.query_value("start-after"))
         : p.query_value("marker");
  auto encode = [&](const std::string& key) { return xml_escape(url ? s3::uri_encode(key, false) : key); };

  std::string entries;
  std::string last, last_prefix;
  int count = 0;
  bool truncated = false;
  for (auto it = after.empty() ? objects.lower_bound(prefix) : objects.upper_bound(after); it != objects.end(); ++it) {
    const std::string& key = it->first;
    if (!key.starts_with(prefix)) {
      if (key > prefix) break;
      continue;
    }
    // Keys under a common prefix already returned (the marker may be one).
    if (!delimiter.empty() && after.ends_with(delimiter) && key.starts_with(after)) continue;
    std::string common;
    if (!delimiter.empty())
      if (auto d = key.find(delimiter, prefix.size()); d != std::string::npos)
        common = key.substr(0, d + delimiter.size());
    if (!common.empty() && common == last_prefix) continue;
    if (count == max_keys) {
      truncated = true;
      break;
    }
    ++count;
    if (!common.empty()) {
      last_prefix = last = common;
      entries += "<CommonPrefixes><Prefix>" + encode(common) + "</Prefix></CommonPrefixes>";
      continue;
    }
    last = key;
    const StoredObject& o = it->second;
    entries += "<Contents><Key>" + encode(key) + "</Key><LastModified>" + format_iso8601(o.last_modified) +
               "</LastModified><ETag>&quot;" + o.etag + "&quot;</ETag><Size>" + std::to_string(o.data.size()) +
               "</Size><StorageClass>STANDARD</StorageClass></Contents>";
  }
  std::string xml = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + p.bucket +
                    "</Name><Prefix>" + encode(prefix) + "</Prefix><MaxKeys>" + std::to_string(max_keys) + "</MaxKeys>";
  if (url) xml += "<EncodingType>url</EncodingType>";
  if (!delimiter.empty()) xml += "<Delimiter>" + encode(delimiter) + "</Delimiter>";
  xml += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
  if (v2) {
    xml += "<KeyCount>" + std::to_string(count) + "</KeyCount>";
    if (truncated) xml += "<NextContinuationToken>" + xml_escape(last) + "</NextContinuationToken>";
  } else {
    xml += "<Marker>" + encode(p.query_value("marker")) + "</Marker>";
    if (truncated) xml += "<NextMarker>" + encode(last) + "</NextMarker>";
  }
  return xml_answer(xml + entries + "</ListBucketResult>");
}

InMemoryS3::Answer InMemoryS3::list_uploads(const Parsed& p) {
  const std::string prefix = p.query_value("prefix");
  std::vector<const OpenUpload*> found;
  for (const auto& [id, u] : uploads_)
    if (u.bucket == p.bucket && u.key.starts_with(prefix)) found.push_back(&u);
  std::sort(found.begin(), found.end(), [](const OpenUpload* a, const OpenUpload* b) {
    return std::tie(a->key, a->upload_id) < std::tie(b->key, b->upload_id);
  });
  std::string xml = "<ListMultipartUploadsResult><Bucket>" + p.bucket +
                    "</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><IsTruncated>false</IsTruncated>";
  for (const OpenUpload* u : found)
    xml += "<Upload><Key>" + xml_escape(u->key) + "</Key><UploadId>" + u->upload_id +
           "</UploadId><Initiated>2026-01-01T00:00:00.000Z</Initiated></Upload>";
  return xml_answer(xml + "</ListMultipartUploadsResult>");
}

InMemoryS3::Answer InMemoryS3::get_or_head(const Parsed& p, bool head) {
  const std::string resource = p.bucket + "/" + p.key;
  auto& objects = buckets_[p.bucket];
  auto it = objects.find(p.key);
  if (it == objects.end()) return error_answer(404, "NoSuchKey", resource);
  const StoredObject& o = it->second;
  if (auto if_match = p.header("If-Match"); if_match && unquote(*if_match) != o.etag)
    return error_answer(412, "PreconditionFailed", resource);

  Answer a;
  a.streamed = !head;
  uint64_t first = 0, last = o.data.empty() ? 0 : o.data.size() - 1;
  bool partial = false;
  if (p.has_query("partNumber")) {
    const int n = std::atoi(p.query_value("partNumber").c_str());
    if (o.part_sizes.empty()) {
      if (n != 1) return error_answer(416, "InvalidPartNumber", resource);
    } else {
      if (n < 1 || static_cast<size_t>(n) > o.part_sizes.size())
        return error_answer(416, "InvalidPartNumber", resource);
      for (int i = 0; i < n - 1; ++i) first += o.part_sizes[i];
      last = first + o.part_sizes[n - 1] - 1;
      partial = true;
      a.headers.push_back({"x-amz-mp-parts-count", std::to_string(o.part_sizes.size())});
    }
  } else if (auto range = p.header("Range")) {
    auto r = parse_range(*range, o.data.size());
    if (!r) return error_answer(416, "InvalidRange", resource);
    std::tie(first, last) = *r;
    partial = true;
  }
  const uint64_t length = o.data.empty() ? 0 : last - first + 1;
  a.status = partial ? 206 : 200;
  if (partial)
    a.headers.push_back({"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                              std::to_string(o.data.size())});
  a.headers.push_back({"ETag", quoted(o.etag)});
  a.headers.push_back({"Content-Length", std::to_string(length)});
  a.headers.push_back({"Last-Modified", http_date(o.last_modified)});
  a.headers.push_back({"Accept-Ranges", "bytes"});
  for (const auto& h : o.metadata) a.headers.push_back(h);
  if (iequals(p.header("x-amz-checksum-mode").value_or(""), "ENABLED") && !partial) {
    for (const auto& h : o.checksums) a.headers.push_back(h);
    if (!o.checksums.empty()) a.headers.push_back({"x-amz-checksum-type", "FULL_OBJECT"});
  }
  if (!head) a.body = o.data.substr(first, length);
  return a;
}

InMemoryS3::Answer InMemoryS3::put_object(const Parsed& p) {
  StoredObject o;
  o.etag = md5_hex(p.body);
  if (auto bad = check_content_md5(p, o.etag)) return *bad;
  if (!mismatched_checksum(p.headers, p.body).empty()) return error_answer(400, "BadDigest", p.bucket + "/" + p.key);
  o.checksums = checksums_sent(p.headers, p.body);
  if (kms_requested(p.headers)) o.etag = kms_etag(p.body);
  o.data = p.body;
  o.metadata = metadata_of(p.headers);
  o.landing = landing_of(p.headers);
  o.last_modified = std::chrono::system_clock::now();
  Answer a;
  a.headers.push_back({"ETag", quoted(o.etag)});
  buckets_[p.bucket][p.key] = std::move(o);
  return a;
}

InMemoryS3::Answer InMemoryS3::copy(const Parsed& p, bool part) {
  const std::string resource = p.bucket + "/" + p.key;
  std::string source = s3::uri_decode(*p.header("x-amz-copy-source"), false);
  if (source.starts_with("/")) source.erase(0, 1);
  const auto slash = source.find('/');
  if (slash == std::string::npos) return error_answer(400, "InvalidArgument", resource);
  auto b = buckets_.find(source.substr(0, slash));
  if (b == buckets_.end()) return error_answer(404, "NoSuchBucket", source);
  auto it = b->second.find(source.substr(slash + 1));
  if (it == b->second.end()) return error_answer(404, "NoSuchKey", source);
  const StoredObject src = it->second;  // a copy: the destination may be the same map
  if (auto if_match = p.header("x-amz-copy-source-if-match"); if_match && unquote(*if_match) != src.etag)
    return error_answer(412, "PreconditionFailed", source);
  const std::string now = format_iso8601(std::chrono::system_clock::now());

  if (part) {
    auto u = uploads_.find(p.query_value("uploadId"));
    if (u == uploads_.end() || u->second.key != p.key) return error_answer(404, "NoSuchUpload", resource);
    std::string bytes = src.data;
    if (auto range = p.header("x-amz-copy-source-range")) {
      auto r = parse_range(*range, src.data.size());
      if (!r) return error_answer(416, "InvalidRange", source);
      bytes = src.data.substr(r->first, r->second - r->first + 1);
    }
    const std::string etag = md5_hex(bytes);
    const int n = std::atoi(p.query_value("partNumber").c_str());
    u->second.parts[n] = std::move(bytes);
    u->second.part_etags[n] = etag;
    return xml_answer("<CopyPartResult><LastModified>" + now + "</LastModified><ETag>&quot;" + etag +
                      "&quot;</ETag></CopyPartResult>");
  }
  StoredObject o = src;
  if (iequals(p.header("x-amz-metadata-directive").value_or(""), "REPLACE")) o.metadata = metadata_of(p.headers);
  o.landing = landing_of(p.headers);
  if (!iequals(p.header("x-amz-tagging-directive").value_or(""), "REPLACE"))  // COPY keeps the source's tags
    for (const auto& h : src.landing)
      if (h.name == "x-amz-tagging") o.landing.push_back(h);
  if (kms_requested(p.headers)) o.etag = kms_etag(o.data);
  o.last_modified = std::chrono::system_clock::now();
  const std::string copy_etag = o.etag;
  buckets_[p.bucket][p.key] = std::move(o);
  return xml_answer("<CopyObjectResult><LastModified>" + now + "</LastModified><ETag>&quot;" + copy_etag +
                    "&quot;</ETag></CopyObjectResult>");
}

InMemoryS3::Answer InMemoryS3::create_upload(const Parsed& p) {
  OpenUpload u{p.bucket, p.key, next_upload_id(), metadata_of(p.headers), {}, {}, {}, landing_of(p.headers),
               kms_requested(p.headers)};
  u.checksum_header = checksum_header_of_algorithm(p.header("x-amz-checksum-algorithm").value_or(""));
  const std::string id = u.upload_id;
  uploads_[id] = std::move(u);
  return xml_answer("<InitiateMultipartUploadResult><Bucket>" + p.bucket + "</Bucket><Key>" + xml_escape(p.key) +
                    "</Key><UploadId>" + id + "</UploadId></InitiateMultipartUploadResult>");
}

InMemoryS3::Answer InMemoryS3::upload_part(const Parsed& p) {
  const std::string resource = p.bucket + "/" + p.key;
  auto u = uploads_.find(p.query_value("uploadId"));
  if (u == uploads_.end() || u->second.key != p.key) return error_answer(404, "NoSuchUpload", resource);
  const int n = std::atoi(p.query_value("partNumber").c_str());
  if (n < 1 || n > 10000) return error_answer(400, "InvalidArgument", resource);
  std::string etag = md5_hex(p.body);
  if (auto bad = check_content_md5(p, etag)) return *bad;
  if (!mismatched_checksum(p.headers, p.body).empty()) return error_answer(400, "BadDigest", resource);
  if (u->second.kms) etag = kms_etag(p.body);
  u->second.parts[n] = p.body;
  u->second.part_etags[n] = etag;
  Answer a;
  a.headers.push_back({"ETag", quoted(etag)});
  return a;
}

InMemoryS3::Answer InMemoryS3::complete_upload(const Parsed& p) {
  const std::string resource = p.bucket + "/" + p.key;
  auto u = uploads_.find(p.query_value("uploadId"));
  if (u == uploads_.end() || u->second.key != p.key) return error_answer(404, "NoSuchUpload", resource);
  const auto numbers = elements(p.body, "PartNumber");
  const auto etags = elements(p.body, "ETag");
  if (numbers.empty() || numbers.size() != etags.size()) return error_answer(400, "MalformedXML", resource);
  const auto part_xmls = elements(p.body, "Part");
  std::vector<std::string_view> parts;
  std::vector<std::string> part_md5s;
  StoredObject o;
  int previous = 0;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const int n = std::atoi(numbers[i].c_str());
    if (n <= previous) return error_answer(400, "InvalidPartOrder", resource);
    previous = n;
    auto part = u->second.parts.find(n);
    if (part == u->second.parts.end() || unquote(xml_unescape(etags[i])) != u->second.part_etags[n])
      return error_answer(400, "InvalidPart", resource);
    if (i + 1 < numbers.size() && part->second.size() < kMinPartSize)
      return error_answer(400, "EntityTooSmall", resource);
    // A part checksum listed must be the part's (AWS: InvalidPart).
    for (const char* element : {"ChecksumCRC32C", "ChecksumCRC64NVME"}) {
      const auto listed = i < part_xmls.size() ? elements(part_xmls[i], element) : std::vector<std::string>{};
      const std::string header = checksum_header_of_algorithm(std::string_view(element).substr(8));
      if (!listed.empty() && listed.front() != additional_checksum_of(header, part->second))
        return error_answer(400, "InvalidPart", resource);
    }
    parts.push_back(part->second);
    part_md5s.push_back(u->second.part_etags[n]);
    o.part_sizes.push_back(part->second.size());
  }
  o.etag = multipart_etag_of(part_md5s);
  for (auto part : parts) o.data.append(part);
  // FULL_OBJECT: the CRC of all the bytes; a whole-object value sent must be it.
  if (!mismatched_checksum(p.headers, o.data).empty()) return error_answer(400, "BadDigest", resource);
  if (!u->second.checksum_header.empty())
    o.checksums.push_back({u->second.checksum_header, *additional_checksum_of(u->second.checksum_header, o.data)});
  o.metadata = u->second.metadata;
  o.landing = u->second.landing;
  o.last_modified = std::chrono::system_clock::now();
  const std::string etag = o.etag;
  buckets_[p.bucket][p.key] = std::move(o);
  uploads_.erase(u);
  return xml_answer("<CompleteMultipartUploadResult><Location>/" + p.bucket + "/" + xml_escape(p.key) +
                    "</Location><Bucket>" + p.bucket + "</Bucket><Key>" + xml_escape(p.key) + "</Key><ETag>&quot;" +
                    etag + "&quot;</ETag></CompleteMultipartUploadResult>");
}

InMemoryS3::Answer InMemoryS3::delete_objects(const Parsed& p) {
  auto& objects = buckets_[p.bucket];
  std::string xml = "<DeleteResult>";
  for (const auto& key : elements(p.body, "Key")) {
    const std::string k = xml_unescape(key);
    objects.erase(k);
    xml += "<Deleted><Key>" + xml_escape(k) + "</Key></Deleted>";
  }
  return xml_answer(xml + "</DeleteResult>");
}

}  // namespace s5j::testing
