// InMemoryS3: request parsing, operation routing, faults, counters, the
// delivery of answers (streamed, cut, flipped) and the set-up helpers. The
// operations themselves are in in_memory_s3_handlers.cpp.
#include "support/in_memory_s3.h"

#include <openssl/evp.h>

#include <algorithm>

#include "base/strings.h"
#include "s3/uri_encode.h"
#include "support/fake_transport.h"
#include "support/in_memory_s3_checksums.h"
#include "support/in_memory_s3_parsed.h"

namespace s5j::testing {

std::string_view to_string(S3Op op) {
  switch (op) {
    case S3Op::list_buckets:
      return "ListBuckets";
    case S3Op::head_bucket:
      return "HeadBucket";
    case S3Op::create_bucket:
      return "CreateBucket";
    case S3Op::list_objects_v2:
      return "ListObjectsV2";
    case S3Op::list_objects_v1:
      return "ListObjects";
    case S3Op::head_object:
      return "HeadObject";
    case S3Op::head_object_part:
      return "HeadObjectPart";
    case S3Op::get_object:
      return "GetObject";
    case S3Op::put_object:
      return "PutObject";
    case S3Op::delete_object:
      return "DeleteObject";
    case S3Op::delete_objects:
      return "DeleteObjects";
    case S3Op::copy_object:
      return "CopyObject";
    case S3Op::create_multipart_upload:
      return "CreateMultipartUpload";
    case S3Op::upload_part:
      return "UploadPart";
    case S3Op::upload_part_copy:
      return "UploadPartCopy";
    case S3Op::complete_multipart_upload:
      return "CompleteMultipartUpload";
    case S3Op::abort_multipart_upload:
      return "AbortMultipartUpload";
    case S3Op::list_multipart_uploads:
      return "ListMultipartUploads";
    case S3Op::unknown:
      break;
  }
  return "Unknown";
}

std::string InMemoryS3::md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return to_hex(std::span<const unsigned char>(digest, len));
}

std::string InMemoryS3::kms_etag(std::string_view data) { return md5_hex("kms-encrypted:" + std::string(data)); }

std::string InMemoryS3::multipart_etag(const std::vector<std::string_view>& parts) {
  std::vector<std::string> md5s;
  for (auto part : parts) md5s.push_back(md5_hex(part));
  return multipart_etag_of(md5s);
}

std::string InMemoryS3::multipart_etag_of(const std::vector<std::string>& part_md5_hex) {
  std::string concatenated;
  for (const auto& hex : part_md5_hex) {
    auto digest = from_hex(hex);
    concatenated.append(reinterpret_cast<const char*>(digest->data()), digest->size());
  }
  return md5_hex(concatenated) + "-" + std::to_string(part_md5_hex.size());
}

InMemoryS3::InMemoryS3() = default;

// ------------------------------------------------------------------ set-up

void InMemoryS3::create_bucket(const std::string& bucket) {
  std::lock_guard lock(mutex_);
  buckets_[bucket];
}

void InMemoryS3::put(const std::string& bucket, const std::string& key, std::string data, http::Headers metadata) {
  std::lock_guard lock(mutex_);
  StoredObject o;
  o.etag = md5_hex(data);
  o.data = std::move(data);
  o.metadata = std::move(metadata);
  o.last_modified = std::chrono::system_clock::now();
  buckets_[bucket][key] = std::move(o);
}

void InMemoryS3::put_multipart(const std::string& bucket, const std::string& key, std::string data, uint64_t part_size,
                               http::Headers metadata) {
  std::vector<std::string_view> parts;
  StoredObject o;
  for (uint64_t offset = 0; offset < data.size(); offset += part_size) {
    parts.push_back(std::string_view(data).substr(offset, part_size));
    o.part_sizes.push_back(parts.back().size());
  }
  o.etag = multipart_etag(parts);
  o.data = std::move(data);
  o.metadata = std::move(metadata);
  o.last_modified = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  buckets_[bucket][key] = std::move(o);
}

void InMemoryS3::remove(const std::string& bucket, const std::string& key) {
  std::lock_guard lock(mutex_);
  buckets_[bucket].erase(key);
}

void InMemoryS3::set_etag(const std::string& bucket, const std::string& key, std::string etag) {
  std::lock_guard lock(mutex_);
  buckets_[bucket].at(key).etag = std::move(etag);
}

void InMemoryS3::set_data(const std::string& bucket, const std::string& key, std::string data) {
  std::lock_guard lock(mutex_);
  StoredObject& o = buckets_[bucket].at(key);
  o.data = std::move(data);
  for (auto& [name, value] : o.checksums) value = *additional_checksum_of(name, o.data);
}

std::optional<StoredObject> InMemoryS3::object(const std::string& bucket, const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return std::nullopt;
  auto o = b->second.find(key);
  if (o == b->second.end()) return std::nullopt;
  return o->second;
}

std::vector<std::string> InMemoryS3::keys(const std::string& bucket) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  if (auto b = buckets_.find(bucket); b != buckets_.end())
    for (const auto& [key, o] : b->second) out.push_back(key);
  return out;
}

std::vector<OpenUpload> InMemoryS3::uploads(const std::string& bucket) const {
  std::lock_guard lock(mutex_);
  std::vector<OpenUpload> out;
  for (const auto& [id, u] : uploads_)
    if (u.bucket == bucket) out.push_back(u);
  return out;
}

std::string InMemoryS3::open_upload(const std::string& bucket, const std::string& key,
                                    const std::map<int, std::string>& parts) {
  std::lock_guard lock(mutex_);
  OpenUpload u{bucket, key, next_upload_id(), {}, parts, {}, {}, {}, false};
  for (const auto& [n, bytes] : parts) u.part_etags[n] = md5_hex(bytes);
  uploads_[u.upload_id] = u;
  return u.upload_id;
}

std::string InMemoryS3::next_upload_id() { return "upload-" + std::to_string(++upload_counter_); }

void InMemoryS3::add_fault(S3Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

void InMemoryS3::refuse_all(int status, std::string code) {
  std::lock_guard lock(mutex_);
  refuse_all_ = std::pair{status, std::move(code)};
}

void InMemoryS3::accept_all() {
  std::lock_guard lock(mutex_);
  refuse_all_.reset();
}

void InMemoryS3::refuse(S3Op op) {
  std::lock_guard lock(mutex_);
  refused_.insert(op);
}

void InMemoryS3::clear_faults() {
  std::lock_guard lock(mutex_);
  faults_.clear();
  fault_matches_.clear();
  refused_.clear();
  refuse_all_.reset();
}

int InMemoryS3::calls(S3Op op) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

// ------------------------------------------------------------------ requests

namespace {

Result<InMemoryS3::Parsed> parse_request(const http::Request& request) {
  InMemoryS3::Parsed p;
  p.method = request.method;
  p.headers = request.headers;
  std::string_view url = request.url;
  auto scheme = url.find("://");
  url = url.substr(scheme == std::string_view::npos ? 0 : scheme + 3);
  auto slash = url.find('/');
  url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  std::string_view query;
  if (auto q = url.find('?'); q != std::string_view::npos) {
    query = url.substr(q + 1);
    url = url.substr(0, q);
  }
  std::string path = s3::uri_decode(url.substr(1), false);
  auto key_slash = path.find('/');
  p.bucket = path.substr(0, key_slash);
  if (key_slash != std::string::npos) {
    p.has_key = true;
    p.key = path.substr(key_slash + 1);
  }
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    auto eq = item.find('=');
    std::string name = s3::uri_decode(item.substr(0, eq), false);
    std::string value = eq == std::string_view::npos ? "" : s3::uri_decode(item.substr(eq + 1), false);
    p.query[name] = value;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  auto body = read_request_body(request);
  if (!body) return std::unexpected(body.error());
  p.body = std::move(*body);
  return p;
}

S3Op classify(const InMemoryS3::Parsed& p) {
  const std::string& m = p.method;
  if (p.bucket.empty()) return m == "GET" ? S3Op::list_buckets : S3Op::unknown;
  if (!p.has_key) {
    if (m == "HEAD") return S3Op::head_bucket;
    if (m == "PUT") return S3Op::create_bucket;
    if (m == "POST" && p.has_query("delete")) return S3Op::delete_objects;
    if (m == "GET" && p.has_query("uploads")) return S3Op::list_multipart_uploads;
    if (m == "GET") return p.query_value("list-type") == "2" ? S3Op::list_objects_v2 : S3Op::list_objects_v1;
    return S3Op::unknown;
  }
  const bool copy = p.header("x-amz-copy-source").has_value();
  if (m == "HEAD") return p.has_query("partNumber") ? S3Op::head_object_part : S3Op::head_object;
  if (m == "GET") return S3Op::get_object;
  if (m == "PUT" && p.has_query("uploadId")) return copy ? S3Op::upload_part_copy : S3Op::upload_part;
  if (m == "PUT") return copy ? S3Op::copy_object : S3Op::put_object;
  if (m == "POST" && p.has_query("uploads")) return S3Op::create_multipart_upload;
  if (m == "POST" && p.has_query("uploadId")) return S3Op::complete_multipart_upload;
  if (m == "DELETE") return p.has_query("uploadId") ? S3Op::abort_multipart_upload : S3Op::delete_object;
  return S3Op::unknown;
}

Error transport_error(std::string code, std::string message) {
  Error e;
  e.kind = ErrorKind::retryable;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

}  // namespace

InMemoryS3::Answer error_answer(int status, const std::string& code, const std::string& resource) {
  InMemoryS3::Answer a;
  a.status = status;
  a.headers.push_back({"Content-Type", "application/xml"});
  a.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>in-memory " + code +
           "</Message><Resource>" + xml_escape(resource) + "</Resource><RequestId>in-memory</RequestId></Error>";
  return a;
}

Result<http::Response> InMemoryS3::perform(const http::Request& request) {
  auto parsed = parse_request(request);
  if (!parsed) return std::unexpected(parsed.error());
  const S3Op op = classify(*parsed);

  RequestSeen seen{op, parsed->bucket, parsed->key, 0};
  std::optional<S3Fault> fault;
  bool refused = false;
  std::optional<std::pair<int, std::string>> refuse_all;
  {
    std::lock_guard lock(mutex_);
    seen.call = ++calls_[op];
    refused = refused_.contains(op);
    refuse_all = refuse_all_;
    for (size_t i = 0; i < faults_.size(); ++i) {
      const S3Fault& f = faults_[i];
      if (f.op != op || (!f.key.empty() && f.key != parsed->key)) continue;
      const int n = ++fault_matches_[i];
      if (!fault && n >= f.nth && (f.times == 0 || n < f.nth + f.times)) fault = f;
    }
  }
  if (on_request) on_request(seen);

  Answer answer;
  if (refuse_all) {
    answer = error_answer(refuse_all->first, refuse_all->second, parsed->bucket + "/" + parsed->key);
  } else if (refused) {
    answer = error_answer(501, "NotImplemented", parsed->bucket + "/" + parsed->key);
  } else if (fault && fault->is_error()) {
    answer = error_answer(fault->status, fault->code, parsed->bucket + "/" + parsed->key);
  } else if (fault && op == S3Op::upload_part) {
    Parsed altered = *parsed;
    if (fault->flip_at && *fault->flip_at < altered.body.size()) altered.body[*fault->flip_at] ^= 0x01;
    std::lock_guard lock(mutex_);
    answer = handle(altered, op);
    const bool stored = answer.status >= 200 && answer.status < 300;
    if (stored && fault->drop_part) {
      auto& upload = uploads_[altered.query_value("uploadId")];
      const int n = std::atoi(altered.query_value("partNumber").c_str());
      upload.parts.erase(n);
      upload.part_etags.erase(n);
    }
    if (stored && fault->answer_etag) {
      std::erase_if(answer.headers, [](const http::Header& h) { return h.name == "ETag"; });
      answer.headers.push_back({"ETag", "\"" + *fault->answer_etag + "\""});
    }
  } else {
    std::lock_guard lock(mutex_);
    answer = handle(*parsed, op);
    if (fault && fault->answer_etag && op == S3Op::complete_multipart_upload && answer.status == 200) {
      const size_t open = answer.body.find("<ETag>"), close = answer.body.find("</ETag>");
      if (open != std::string::npos && close != std::string::npos)
        answer.body.replace(open + 6, close - open - 6, xml_escape("\"" + *fault->answer_etag + "\""));
    }
  }
  if (request.method == "HEAD") answer.body.clear();

  const bool ok = answer.status >= 200 && answer.status < 300;
  std::optional<uint64_t> cut;
  if (ok && fault && request.method == "GET") {
    if (fault->flip_at) {
      // The answer's first byte is at this object offset.
      uint64_t first = 0;
      if (auto cr = http::find_header(answer.headers, "Content-Range"))
        first = std::strtoull(std::string(cr->substr(6)).c_str(), nullptr, 10);
      if (*fault->flip_at >= first && *fault->flip_at - first < answer.body.size())
        answer.body[*fault->flip_at - first] ^= 0x01;
    }
    if (fault->cut_after && *fault->cut_after < answer.body.size()) cut = *fault->cut_after;
  }

  http::Response response;
  response.status = answer.status;
  response.headers = answer.headers;
  if (request.on_headers)
    if (auto s = request.on_headers(answer.status, answer.headers); !s) return std::unexpected(s.error());
  std::string_view body = answer.body;
  if (cut) body = body.substr(0, *cut);
  if (ok && request.sink) {
    constexpr size_t kChunk = 64 * 1024;
    for (size_t at = 0; at < body.size(); at += kChunk)
      if (auto s = request.sink(body.substr(at, kChunk)); !s) return std::unexpected(s.error());
  } else {
    response.body = std::string(body);
  }
  response.body_bytes = body.size();
  if (cut) return std::unexpected(transport_error("RecvFailed", "in-memory S3: connection broken mid-body"));
  return response;
}

}  // namespace s5j::testing
