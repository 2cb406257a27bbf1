// The benchmark's minimal client (the "ceiling") and its data generator.
//
// The ceiling is the least a client can do to copy a prefix between two S3
// endpoints, so its speed marks the servers' limit rather than a client's:
// one ListObjectsV2 walk, then one thread driving C transfers at once with
// libcurl's multi interface over keep-alive connections. Each object is one
// GET into memory and one PUT from it; an object larger than --part-size goes
// as ranged GETs into the parts of a multipart upload, so a few large objects
// still keep every slot busy. UNSIGNED-PAYLOAD, no checksums, no retries, no
// comparison with the destination, no ledger. With --stage-dir every body
// goes through a local file (written, read back, deleted) between the GET and
// the PUT: the least a staged relay can do.
//
// Why native: a Python client (botocore signing, one thread per connection)
// was bound by its own interpreter at 64 connections (15.8 CPU-s for W1, one
// core) and so no longer marked the servers' limit; `xargs -P curl` costs a
// process launch per request. Requests are signed with s5j's SigV4 signer
// (pure, tested against AWS's vectors); everything else is libcurl.
//
//   s5j_ceiling copy --src-endpoint URL --src-bucket B --dst-endpoint URL
//                    --dst-bucket B [--prefix P] [-c 64] [--part-size N]
//                    [--stage-dir DIR [--fsync]]
//     credentials: BENCH_SRC_ACCESS_KEY/BENCH_SRC_SECRET_KEY,
//                  BENCH_DST_ACCESS_KEY/BENCH_DST_SECRET_KEY
//   s5j_ceiling generate --endpoint URL --bucket B --prefix P --count N
//                        --size BYTES [-c 64] [--part-size N]
//   s5j_ceiling generate ... --sizes-file FILE [--part-size N]
//     fills PREFIX with N objects PREFIX + "obj-%07d.bin" (or one per line
//     of FILE, of that many bytes) of distinct,
//     incompressible pseudo-random bytes (each 1 MiB piece is a slice of one
//     random pool with the object and piece number over its first 16 bytes);
//     a failed PUT is tried up to 3 times (a fresh gateway drops the odd
//     connection). With --part-size, objects larger than it are written as
//     multipart uploads of parts of that size (the last one shorter), as the
//     AWS CLI (8 MiB), rclone (5 MiB) or s5cmd (50 MiB) leave them: their
//     ETags are multipart ETags "...-N". Credentials:
//     BENCH_ACCESS_KEY/BENCH_SECRET_KEY.
// Exit status: 0 when every object made it, 1 when any failed, 2 on bad
// arguments or a failed listing.
#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <random>
#include <string>
#include <vector>

#include "s3/sigv4_signer.h"
#include "s3/uri_encode.h"

namespace {

using s5j::s3::QueryParams;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "s5j_ceiling: %s\n", message.c_str());
  std::exit(2);
}

std::string env_or_die(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') die(std::string("set ") + name);
  return v;
}

// One endpoint + bucket, path style, region us-east-1 (the bench gateways').
struct Side {
  std::string base;  // "http://127.0.0.1:18480"
  std::string host;  // "127.0.0.1:18480"
  std::string bucket;
  std::unique_ptr<s5j::s3::SigV4Signer> signer;

  Side(std::string endpoint, std::string bucket_name, std::string access_key, std::string secret_key)
      : base(std::move(endpoint)), bucket(std::move(bucket_name)) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    const size_t scheme_end = base.find("://");
    if (scheme_end == std::string::npos) die("endpoint needs a scheme: " + base);
    host = base.substr(scheme_end + 3);
    signer = std::make_unique<s5j::s3::SigV4Signer>(
        s5j::s3::Credentials{std::move(access_key), std::move(secret_key), {}});
  }

  // Sets URL, method and signed headers on `easy`; returns the header list
  // the caller frees after the transfer.
  curl_slist* prepare(CURL* easy, const char* method, const std::string& key, const QueryParams& query,
                      s5j::http::Headers extra = {}) const {
    const std::string path = s5j::s3::encode_path_style(bucket, key);
    const std::string qs = s5j::s3::canonical_query_string(query);
    s5j::s3::SigningRequest request{method, host, path, query, extra, std::string(s5j::s3::kUnsignedPayload),
                                    "us-east-1", "s3", std::chrono::system_clock::now()};
    curl_slist* list = curl_slist_append(nullptr, "Expect:");  // no 100-continue round trip
    for (const auto& h : extra) list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
    for (const auto& h : signer->sign(request).headers) list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
    const std::string url = base + path + (qs.empty() ? "" : "?" + qs);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    return list;
  }
};

size_t append_to_string(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// A blocking request with an in-memory body, for the few calls outside the
// transfer loop (listing, multipart create/complete). Returns the HTTP status.
long perform(const Side& side, const char* method, const std::string& key, const QueryParams& query,
             const std::string& body, std::string& response) {
  CURL* easy = curl_easy_init();
  curl_slist* headers = side.prepare(easy, method, key, query);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  if (body.empty() && std::strcmp(method, "GET") == 0) curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response);
  long status = 0;
  if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  return status;
}

struct ListedObject {
  std::string key;
  uint64_t size = 0;
};

std::vector<ListedObject> list_objects(const Side& side, const std::string& prefix) {
  std::vector<ListedObject> out;
  std::string token;
  for (;;) {
    QueryParams query{{"list-type", "2"}, {"prefix", prefix}, {"max-keys", "1000"}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    std::string body;
    const long status = perform(side, "GET", "", query, "", body);
    if (status != 200) die("ListObjectsV2 " + side.base + "/" + side.bucket + ": HTTP " + std::to_string(status));
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) die("ListObjectsV2: unparseable answer");
    const pugi::xml_node result = doc.child("ListBucketResult");
    for (const pugi::xml_node c : result.children("Contents")) {
      out.push_back({c.child_value("Key"), std::strtoull(c.child_value("Size"), nullptr, 10)});
    }
    if (std::string_view(result.child_value("IsTruncated")) != "true") return out;
    token = result.child_value("NextContinuationToken");
  }
}

struct MultipartUpload {
  std::string key, upload_id;
  size_t parts_left = 0;
  std::map<int, std::string> etags;
};

// One unit of work: a whole object (part == 0) or one part of a multipart upload.
struct Piece {
  std::string key;
  uint64_t first = 0, length = 0;
  int part = 0;
  MultipartUpload* upload = nullptr;
  int attempts_left = 1;
  uint64_t object = 0;  // generated objects: the number their contents derive from
  uint64_t object_size = 0;  // generated objects: the whole object's size (parts: more than `length`)
};

// A transfer slot: one GET handle, one PUT handle, one body buffer. curl keeps
// the connections in the multi handle's cache, so they are reused across slots.
// The generator's contents: each 1 MiB piece of object i is a slice of one
// random pool with (i, piece) written over its first 16 bytes, so no two
// objects or pieces are equal and nothing compresses. Produced as the PUT
// reads it, so no object is ever held whole.
class Contents {
 public:
  static constexpr uint64_t kPiece = 1 << 20;
  Contents() : pool_(4 * kPiece, '\0') {
    std::mt19937_64 random(std::random_device{}());
    for (size_t i = 0; i + 8 <= pool_.size(); i += 8) {
      const uint64_t v = random();
      std::memcpy(pool_.data() + i, &v, 8);
    }
  }
  // Copies `n` bytes of object `object`, `object_size` bytes long, starting at `at`.
  void read(uint64_t object, uint64_t object_size, uint64_t at, char* out, size_t n) const {
    while (n > 0) {
      const uint64_t piece = at / kPiece, in_piece = at % kPiece;
      const uint64_t piece_size = std::min(kPiece, object_size - piece * kPiece);
      const uint64_t off = ((object * 7919 + piece * 104729) * 64) % (pool_.size() - piece_size);
      const size_t take = std::min<uint64_t>(n, piece_size - in_piece);
      std::memcpy(out, pool_.data() + off + in_piece, take);
      const uint64_t tag[2] = {object, piece};
      for (uint64_t i = in_piece; i < std::min<uint64_t>(16, in_piece + take); ++i) {
        out[i - in_piece] = reinterpret_cast<const char*>(tag)[i];
      }
      out += take;
      at += take;
      n -= take;
    }
  }

 private:
  std::string pool_;
};

struct Slot {
  CURL* get = curl_easy_init();
  CURL* put = curl_easy_init();
  curl_slist* headers = nullptr;
  std::string body;
  size_t sent = 0;
  std::string etag;
  std::optional<Piece> piece;
  const Contents* generated = nullptr;  // set: the PUT body comes from here, not `body`
};

size_t read_from_slot(char* out, size_t size, size_t count, void* user) {
  Slot& slot = *static_cast<Slot*>(user);
  const uint64_t total = slot.generated ? slot.piece->length : slot.body.size();
  const size_t n = std::min<uint64_t>(size * count, total - slot.sent);
  if (slot.generated) {
    const Piece& p = *slot.piece;
    slot.generated->read(p.object, p.object_size ? p.object_size : total, p.first + slot.sent, out, n);
  } else {
    std::memcpy(out, slot.body.data() + slot.sent, n);
  }
  slot.sent += n;
  return n;
}

size_t capture_etag(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  if (line.size() > 5 && strncasecmp(line.data(), "etag:", 5) == 0) {
    line.remove_prefix(5);
    while (!line.empty() && (line.front() == ' ')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    static_cast<Slot*>(user)->etag = line;
  }
  return size * count;
}

class Engine {
 public:
  // Copies from `source`, or (source null) writes `generated` contents.
  Engine(const Side* source, const Contents* generated, const Side& destination, int concurrency,
         std::string stage_dir, bool stage_fsync)
      : source_(source),
        destination_(destination),
        stage_dir_(std::move(stage_dir)),
        stage_fsync_(stage_fsync),
        slots_(concurrency) {
    for (Slot& s : slots_) s.generated = generated;
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(4 * concurrency));
  }
  ~Engine() {
    for (Slot& s : slots_) {
      curl_easy_cleanup(s.get);
      curl_easy_cleanup(s.put);
    }
    curl_multi_cleanup(multi_);
  }

  // Runs every piece; returns {objects completed, failures}.
  std::pair<size_t, size_t> run(std::deque<Piece> work) {
    work_ = std::move(work);
    for (Slot& slot : slots_) start_next(slot);
    // Counted here rather than by curl_multi_perform's running_handles, which
    // fell to 0 while parts were still in flight once a blocking
    // CompleteMultipartUpload had run in between (libcurl 7.88).
    int running = 0;
    while (in_flight_ > 0) {
      curl_multi_perform(multi_, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        // The message does not survive curl_multi_remove_handle: copy it first.
        CURL* easy = msg->easy_handle;
        const CURLcode result = msg->data.result;
        Slot* slot = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&slot));
        curl_multi_remove_handle(multi_, easy);
        --in_flight_;
        finished(*slot, easy, result);
      }
      curl_multi_perform(multi_, &running);
      if (in_flight_ > 0) curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    return {completed_, failures_};
  }

 private:
  void start_next(Slot& slot) {
    if (work_.empty()) return;
    slot.piece = std::move(work_.front());
    work_.pop_front();
    if (source_ == nullptr) {
      start_put(slot);
    } else {
      start_get(slot);
    }
  }

  void start_get(Slot& slot) {
    const Piece& p = *slot.piece;
    slot.body.clear();
    slot.body.reserve(p.length);
    curl_easy_reset(slot.get);
    s5j::http::Headers extra;
    if (p.part != 0) extra.push_back({"Range", "bytes=" + std::to_string(p.first) + "-" + std::to_string(p.first + p.length - 1)});
    slot.headers = source_->prepare(slot.get, "GET", p.key, {}, extra);
    curl_easy_setopt(slot.get, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(slot.get, CURLOPT_WRITEFUNCTION, append_to_string);
    curl_easy_setopt(slot.get, CURLOPT_WRITEDATA, &slot.body);
    curl_easy_setopt(slot.get, CURLOPT_PRIVATE, &slot);
    curl_multi_add_handle(multi_, slot.get);
    ++in_flight_;
  }

  void start_put(Slot& slot) {
    const Piece& p = *slot.piece;
    slot.sent = 0;
    slot.etag.clear();
    curl_easy_reset(slot.put);
    QueryParams query;
    if (p.part != 0) query = {{"partNumber", std::to_string(p.part)}, {"uploadId", p.upload->upload_id}};
    slot.headers = destination_.prepare(slot.put, "PUT", p.key, query);
    curl_easy_setopt(slot.put, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(slot.put, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(slot.generated ? p.length : slot.body.size()));
    curl_easy_setopt(slot.put, CURLOPT_READFUNCTION, read_from_slot);
    curl_easy_setopt(slot.put, CURLOPT_READDATA, &slot);
    curl_easy_setopt(slot.put, CURLOPT_HEADERFUNCTION, capture_etag);
    curl_easy_setopt(slot.put, CURLOPT_HEADERDATA, &slot);
    curl_easy_setopt(slot.put, CURLOPT_WRITEFUNCTION, append_to_string);
    curl_easy_setopt(slot.put, CURLOPT_WRITEDATA, &discard_);
    curl_easy_setopt(slot.put, CURLOPT_PRIVATE, &slot);
    curl_multi_add_handle(multi_, slot.put);
    ++in_flight_;
  }

  void finished(Slot& slot, CURL* easy, CURLcode result) {
    curl_slist_free_all(slot.headers);
    slot.headers = nullptr;
    discard_.clear();
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    Piece& p = *slot.piece;
    const bool ok = result == CURLE_OK && status / 100 == 2 &&
                    (easy == slot.put || slot.body.size() == p.length);
    if (!ok) {
      if (--p.attempts_left > 0) {
        easy == slot.get ? start_get(slot) : start_put(slot);
        return;
      }
      std::fprintf(stderr, "s5j_ceiling: %s %s%s: %s, HTTP %ld\n", easy == slot.get ? "GET" : "PUT", p.key.c_str(),
                   p.part ? (" part " + std::to_string(p.part)).c_str() : "", curl_easy_strerror(result), status);
      ++failures_;
    } else if (easy == slot.get) {
      if (!stage_dir_.empty()) through_local_file(slot);
      start_put(slot);
      return;
    } else if (p.part == 0) {
      ++completed_;
    } else {
      p.upload->etags[p.part] = slot.etag;
      if (--p.upload->parts_left == 0) complete(*p.upload);
    }
    slot.piece.reset();
    start_next(slot);
  }

  // What a staged relay minimally does with a body: a file written, read back
  // and deleted (no rename: the least, not the safe; with --fsync the file's
  // data is synced before it is read back, as a relay that survives a power
  // cut must).
  void through_local_file(Slot& slot) {
    const std::string path = stage_dir_ + "/piece-" + std::to_string(reinterpret_cast<uintptr_t>(&slot));
    const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || ::write(out, slot.body.data(), slot.body.size()) != static_cast<ssize_t>(slot.body.size()) ||
        (stage_fsync_ && ::fdatasync(out) != 0)) {
      die("cannot write " + path);
    }
    ::close(out);
    const size_t size = slot.body.size();
    slot.body.clear();
    slot.body.resize(size);
    const int in = ::open(path.c_str(), O_RDONLY);
    if (in < 0 || ::read(in, slot.body.data(), size) != static_cast<ssize_t>(size)) die("cannot read " + path);
    ::close(in);
    ::unlink(path.c_str());
  }

  void complete(MultipartUpload& upload) {
    std::string xml = "<CompleteMultipartUpload>";
    for (const auto& [n, etag] : upload.etags) {
      xml += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + etag + "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    std::string response;
    const long status = perform(destination_, "POST", upload.key, {{"uploadId", upload.upload_id}}, xml, response);
    if (status != 200 || response.find("<Error>") != std::string::npos) {
      std::fprintf(stderr, "s5j_ceiling: CompleteMultipartUpload %s: HTTP %ld\n", upload.key.c_str(), status);
      ++failures_;
    } else {
      ++completed_;
    }
  }

  const Side* source_;
  const Side& destination_;
  std::string stage_dir_;
  bool stage_fsync_ = false;
  std::vector<Slot> slots_;
  CURLM* multi_ = nullptr;
  std::deque<Piece> work_;
  std::string discard_;
  size_t completed_ = 0, failures_ = 0;
  size_t in_flight_ = 0;  // easy handles added and not yet done
};

int copy_command(const std::string& src_endpoint, const std::string& src_bucket, const std::string& dst_endpoint,
                 const std::string& dst_bucket, const std::string& prefix, int concurrency, uint64_t part_size,
                 const std::string& stage_dir, bool stage_fsync) {
  const Side source(src_endpoint, src_bucket, env_or_die("BENCH_SRC_ACCESS_KEY"), env_or_die("BENCH_SRC_SECRET_KEY"));
  const Side destination(dst_endpoint, dst_bucket, env_or_die("BENCH_DST_ACCESS_KEY"),
                         env_or_die("BENCH_DST_SECRET_KEY"));
  const std::vector<ListedObject> objects = list_objects(source, prefix);
  std::deque<MultipartUpload> uploads;  // stable addresses
  std::deque<Piece> work;
  for (const ListedObject& o : objects) {
    if (o.size <= part_size) {
      work.push_back({o.key, 0, o.size});
      continue;
    }
    std::string response;
    const long status = perform(destination, "POST", o.key, {{"uploads", ""}}, "", response);
    pugi::xml_document doc;
    doc.load_buffer(response.data(), response.size());
    const std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
    if (status != 200 || id.empty()) die("CreateMultipartUpload " + o.key + ": HTTP " + std::to_string(status));
    MultipartUpload& up = uploads.emplace_back(MultipartUpload{o.key, id, (o.size + part_size - 1) / part_size, {}});
    for (int n = 1; static_cast<uint64_t>(n - 1) * part_size < o.size; ++n) {
      const uint64_t first = static_cast<uint64_t>(n - 1) * part_size;
      work.push_back({o.key, first, std::min(part_size, o.size - first), n, &up});
    }
  }
  if (!stage_dir.empty()) ::mkdir(stage_dir.c_str(), 0700);
  Engine engine(&source, nullptr, destination, concurrency, stage_dir, stage_fsync);
  const auto [done, failed] = engine.run(std::move(work));
  std::printf("ceiling: copied %zu of %zu objects, %zu failed\n", done, objects.size(), failed);
  return failed == 0 && done == objects.size() ? 0 : 1;
}

// Opens a multipart upload of `key`; dies when the server refuses.
std::string create_upload(const Side& destination, const std::string& key) {
  std::string response;
  const long status = perform(destination, "POST", key, {{"uploads", ""}}, "", response);
  pugi::xml_document doc;
  doc.load_buffer(response.data(), response.size());
  const std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (status != 200 || id.empty()) die("CreateMultipartUpload " + key + ": HTTP " + std::to_string(status));
  return id;
}

int generate_command(const std::string& endpoint, const std::string& bucket, const std::string& prefix,
                     const std::vector<uint64_t>& sizes, uint64_t part_size, int concurrency) {
  const Side destination(endpoint, bucket, env_or_die("BENCH_ACCESS_KEY"), env_or_die("BENCH_SECRET_KEY"));
  const Contents contents;
  std::deque<MultipartUpload> uploads;  // stable addresses
  std::deque<Piece> work;
  for (uint64_t i = 0; i < sizes.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "obj-%07llu.bin", static_cast<unsigned long long>(i));
    const std::string key = prefix + name;
    const uint64_t size = sizes[i];
    if (part_size == 0 || size <= part_size) {
      work.push_back({.key = key, .length = size, .attempts_left = 3, .object = i, .object_size = size});
      continue;
    }
    MultipartUpload& up =
        uploads.emplace_back(MultipartUpload{key, create_upload(destination, key), (size + part_size - 1) / part_size, {}});
    for (int n = 1; static_cast<uint64_t>(n - 1) * part_size < size; ++n) {
      const uint64_t first = static_cast<uint64_t>(n - 1) * part_size;
      work.push_back({.key = key, .first = first, .length = std::min(part_size, size - first), .part = n,
                      .upload = &up, .attempts_left = 3, .object = i, .object_size = size});
    }
  }
  Engine engine(nullptr, &contents, destination, concurrency, "", false);
  const auto [done, failed] = engine.run(std::move(work));
  std::printf("generate: %zu of %zu objects written, %zu failed\n", done, sizes.size(), failed);
  return failed == 0 && done == sizes.size() ? 0 : 1;
}

std::vector<uint64_t> read_sizes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) die("cannot read " + path);
  std::vector<uint64_t> out;
  unsigned long long v = 0;
  while (std::fscanf(f, "%llu", &v) == 1) out.push_back(v);
  std::fclose(f);
  if (out.empty()) die(path + " holds no sizes (one byte count per line)");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"s5j_ceiling: the benchmark's minimal S3 client and data generator"};
  app.require_subcommand(1);
  std::string src_endpoint, src_bucket, dst_endpoint, dst_bucket, prefix, stage_dir;
  bool stage_fsync = false;
  int concurrency = 64;
  uint64_t part_size = 16 << 20, count = 0, size = 0, generate_part_size = 0;
  std::string sizes_file;
  CLI::App* copy = app.add_subcommand("copy", "copy a prefix from one endpoint to another");
  copy->add_option("--src-endpoint", src_endpoint)->required();
  copy->add_option("--src-bucket", src_bucket)->required();
  copy->add_option("--dst-endpoint", dst_endpoint)->required();
  copy->add_option("--dst-bucket", dst_bucket)->required();
  copy->add_option("--prefix", prefix, "same prefix on both sides");
  copy->add_option("-c,--concurrency", concurrency)->check(CLI::PositiveNumber);
  copy->add_option("--part-size", part_size, "larger objects go as ranged GETs into multipart parts")
      ->check(CLI::Range(uint64_t{5} << 20, uint64_t{5} << 30));
  copy->add_option("--stage-dir", stage_dir, "pass every body through a file here (a minimal staged relay)");
  copy->add_flag("--fsync", stage_fsync, "fdatasync each staged file before reading it back")->needs("--stage-dir");
  CLI::App* gen = app.add_subcommand("generate", "fill a prefix with generated objects");
  gen->add_option("--endpoint", dst_endpoint)->required();
  gen->add_option("--bucket", dst_bucket)->required();
  gen->add_option("--prefix", prefix);
  auto* count_option = gen->add_option("--count", count);
  auto* size_option = gen->add_option("--size", size)->check(CLI::PositiveNumber);
  auto* sizes_option = gen->add_option("--sizes-file", sizes_file, "one object size (bytes) per line");
  count_option->needs(size_option);
  size_option->needs(count_option);
  sizes_option->excludes(count_option)->excludes(size_option);
  gen->add_option("--part-size", generate_part_size, "larger objects are written as multipart uploads of such parts")
      ->check(CLI::Range(uint64_t{5} << 20, uint64_t{5} << 30));
  gen->add_option("-c,--concurrency", concurrency)->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int rc = copy->parsed() ? copy_command(src_endpoint, src_bucket, dst_endpoint, dst_bucket, prefix, concurrency,
                                               part_size, stage_dir, stage_fsync)
                                : generate_command(dst_endpoint, dst_bucket, prefix,
                                                   sizes_file.empty() ? std::vector<uint64_t>(count, size)
                                                                      : read_sizes(sizes_file),
                                                   generate_part_size, concurrency);
  curl_global_cleanup();
  return rc;
}
