// Shared ground of the ops unit tests: a job's config pointing at a real
// SQLite ledger in a temp directory and staging volumes in temp
// directories, records driven to a state through the ledger's own
// transitions, staged files written where the Stager puts them, and a
// fake S3 store (buckets of objects, open multipart uploads) answering the
// requests the operations make: ListObjectsV2, HEAD, ListMultipartUploads
// and AbortMultipartUpload, over a FakeTransport.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "ledger/ledger.h"
#include "ledger/transition.h"
#include "ops/job_context.h"
#include "s3/s3_client.h"
#include "staging/staging_layout.h"
#include "support/fake_s3_client.h"
#include "support/test_env.h"

namespace s5j::ops::testing {

// An S3 server's state: objects per bucket (key -> size, ETag) and open
// multipart uploads per bucket (upload id -> key). Aborts are recorded.
class FakeS3Store {
 public:
  struct Object {
    uint64_t size = 0;
    std::string etag;
  };

  void put(const std::string& bucket, const std::string& key, uint64_t size, const std::string& etag) {
    std::lock_guard lock(mutex_);
    buckets_[bucket][key] = {size, etag};
  }
  void open_upload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
    std::lock_guard lock(mutex_);
    uploads_[bucket][upload_id] = key;
  }
  std::vector<std::string> aborted() const {
    std::lock_guard lock(mutex_);
    return aborted_;
  }
  size_t open_uploads(const std::string& bucket) const {
    std::lock_guard lock(mutex_);
    auto it = uploads_.find(bucket);
    return it == uploads_.end() ? 0 : it->second.size();
  }

  ::s5j::testing::FakeAnswer answer(const ::s5j::testing::RecordedRequest& r) {
    std::lock_guard lock(mutex_);
    const std::string url = r.url.substr(r.url.find('/', r.url.find("//") + 2) + 1);
    const size_t q = url.find('?');
    const std::string path = decode(url.substr(0, q));
    const std::string query = q == std::string::npos ? "" : url.substr(q + 1);
    const size_t slash = path.find('/');
    const std::string bucket = path.substr(0, slash);
    const std::string key = slash == std::string::npos ? "" : path.substr(slash + 1);
    ::s5j::testing::FakeAnswer a;
    if (r.method == "GET" && key.empty() && has_param(query, "uploads")) {
      a.body = "<ListMultipartUploadsResult><Bucket>" + bucket + "</Bucket><IsTruncated>false</IsTruncated>";
      for (const auto& [id, k] : uploads_[bucket])
        if (k.starts_with(param(query, "prefix")))
          a.body += "<Upload><Key>" + xml(k) + "</Key><UploadId>" + id + "</UploadId></Upload>";
      a.body += "</ListMultipartUploadsResult>";
      return a;
    }
    if (r.method == "GET" && key.empty()) {
      a.body = "<ListBucketResult><Name>" + bucket + "</Name><IsTruncated>false</IsTruncated>";
      for (const auto& [k, o] : buckets_[bucket])
        if (k.starts_with(param(query, "prefix")))
          a.body += "<Contents><Key>" + xml(k) +
                    "</Key><LastModified>2026-11-21T08:30:50.000Z</LastModified><ETag>\"" + o.etag +
                    "\"</ETag><Size>" + std::to_string(o.size) + "</Size></Contents>";
      a.body += "</ListBucketResult>";
      return a;
    }
    if (r.method == "HEAD") {
      auto it = buckets_[bucket].find(key);
      if (it == buckets_[bucket].end()) {
        a.status = 404;
        return a;
      }
      a.headers = {{"Content-Length", std::to_string(it->second.size)}, {"ETag", "\"" + it->second.etag + "\""}};
      return a;
    }
    if (r.method == "DELETE" && has_param(query, "uploadId")) {
      const std::string id = param(query, "uploadId");
      if (uploads_[bucket].erase(id) == 0) return ::s5j::testing::s3_error_answer(404, "NoSuchUpload");
      aborted_.push_back(key + " " + id);
      a.status = 204;
      return a;
    }
    return ::s5j::testing::s3_error_answer(501, "NotImplemented", r.method + " " + r.url);
  }

 private:
  static std::string decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }
  static bool has_param(const std::string& query, const std::string& name) {
    return ("&" + query + "&").find("&" + name + "=") != std::string::npos ||
           ("&" + query + "&").find("&" + name + "&") != std::string::npos;
  }
  static std::string param(const std::string& query, const std::string& name) {
    const std::string q = "&" + query;
    const size_t at = q.find("&" + name + "=");
    if (at == std::string::npos) return {};
    const size_t from = at + name.size() + 2;
    return decode(q.substr(from, q.find('&', from) - from));
  }
  static std::string xml(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '&') out += "&amp;";
      else if (c == '<') out += "&lt;";
      else if (c == '>') out += "&gt;";
      else out += c;
    }
    return out;
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Object>> buckets_;
  std::map<std::string, std::map<std::string, std::string>> uploads_;
  std::vector<std::string> aborted_;
};

// An S3Client answering from `store`.
inline std::unique_ptr<::s5j::testing::FakeS3Client> fake_client(FakeS3Store& store) {
  return std::make_unique<::s5j::testing::FakeS3Client>(
      [&store](const ::s5j::testing::RecordedRequest& r, int) { return store.answer(r); });
}

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.job = "opsjob";
    config_.ledger.path = dir_ + "/ledger.db";
    config_.log.dir = dir_ + "/logs";
    config_.source.bucket = "src";
    config_.source.prefix = "in/";
    config_.destination.bucket = "dst";
    config_.destination.prefix = "out/";
    config_.staging.volumes = {dir_ + "/vol1", dir_ + "/vol2"};
    config_.staging.reserve_bytes = 0;
    for (const auto& v : config_.staging.volumes) std::filesystem::create_directories(v);
  }

  // Opens the job's ledger and record as the commands do.
  JobContext open_context(ledger::JobMode mode = ledger::JobMode::direct) {
    auto context = open_job_context(config_, /*create_if_missing=*/true);
    EXPECT_TRUE(context.has_value()) << (context ? "" : context.error().describe());
    if (!context->job) {
      auto job = context->ledger->open_job(config_.job, mode);
      EXPECT_TRUE(job.has_value());
      context->job = *job;
    }
    return std::move(*context);
  }

  static void list(ledger::Ledger& l, ledger::JobId job, const std::string& key, uint64_t size,
                   const std::string& etag = "src-etag") {
    const ledger::ListedObject o{key, size, etag, std::nullopt};
    ASSERT_TRUE(l.upsert_listed(job, std::span(&o, 1)).has_value());
  }

  static ledger::ObjectRecord get(ledger::Ledger& l, ledger::JobId job, const std::string& key) {
    auto r = l.find_object(job, key);
    EXPECT_TRUE(r && *r) << key;
    return (r && *r) ? **r : ledger::ObjectRecord{};
  }

  static void commit(ledger::Ledger& l, const ledger::Transition& t) {
    ASSERT_TRUE(l.queue(t).has_value());
    auto f = l.flush();
    ASSERT_TRUE(f.has_value());
    ASSERT_TRUE(f->rejected.empty()) << "transition rejected";
  }

  // Listed, copied and verified with checksums and the destination's ETag.
  static void verified(ledger::Ledger& l, ledger::JobId job, const std::string& key, uint64_t size,
                       const std::string& dest_etag) {
    list(l, job, key, size);
    commit(l, ledger::Transition::of(get(l, job, key), ledger::ObjectState::copying));
    auto t = ledger::Transition::of(get(l, job, key), ledger::ObjectState::verified);
    t.update.md5 = ledger::Md5Bytes{};
    t.update.crc32c = 0x1234;
    t.update.dest_etag = dest_etag;
    commit(l, t);
  }

  // A staged file (complete, or .part) of `id` on volume `volume`.
  void staged_file(size_t volume, int64_t id, size_t bytes, bool partial = false) {
    const auto& v = config_.staging.volumes[volume];
    std::filesystem::create_directories(staging::shard_dir(v, config_.job, id));
    std::ofstream(partial ? staging::part_path(v, config_.job, id) : staging::staged_path(v, config_.job, id))
        << std::string(bytes, 'x');
  }

  std::string dir_ = ::s5j::testing::make_temp_dir("ops");
  config::Config config_;
  FakeS3Store store_;
};

}  // namespace s5j::ops::testing
