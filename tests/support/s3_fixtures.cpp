#include "support/s3_fixtures.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <mutex>
#include <cstring>
#include <random>
#include <thread>

#include "base/strings.h"
#include "http/curl_transport.h"
#include "support/test_env.h"

namespace s5j::testing {
namespace {

std::string md5_of(std::string_view data, bool base64) {
  unsigned char d[16];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_md5(), nullptr);
  std::span<const unsigned char> bytes(d, n);
  return base64 ? base64_encode(bytes) : to_hex(bytes);
}

// Runs fn(i) for i in [0, count) on `threads` threads.
void parallel_for(size_t count, int threads, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < count;) fn(i);
    });
  for (auto& t : pool) t.join();
}

}  // namespace

std::unique_ptr<s3::S3Client> make_test_client(const std::string& endpoint,
                                               std::shared_ptr<http::Transport> transport) {
  s3::ClientOptions options;
  options.endpoint_urls = {endpoint};
  options.credentials = {access_key(), secret_key(), ""};
  if (!transport) transport = std::make_shared<http::CurlTransport>(http::NetworkOptions{});
  auto client = s3::make_client(options, std::move(transport));
  if (!client) {
    ADD_FAILURE() << client.error().describe();
    return nullptr;
  }
  return std::move(*client);
}

bool seed_objects(s3::S3Client& client, const std::string& bucket, const std::vector<SeedObject>& objects,
                  int threads) {
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  parallel_for(objects.size(), threads, [&](size_t i) {
    const auto& o = objects[i];
    std::string error;
    if (o.multipart_part_size == 0) {
      s3::BodySource body{.size = o.data.size(), .data = o.data, .content_md5 = md5_of(o.data, true)};
      if (auto r = client.put_object(bucket, o.key, body); !r) error = r.error().describe();
    } else {
      auto upload = client.create_multipart_upload(bucket, o.key);
      if (!upload) {
        error = upload.error().describe();
      } else {
        std::vector<s3::CompletedPart> parts;
        for (size_t off = 0, n = 1; off < o.data.size() && error.empty(); off += o.multipart_part_size, ++n) {
          std::string_view slice = std::string_view(o.data).substr(off, o.multipart_part_size);
          s3::BodySource body{.size = slice.size(), .data = slice, .content_md5 = md5_of(slice, true)};
          auto etag = client.upload_part(bucket, o.key, *upload, static_cast<int>(n), body);
          if (!etag) error = etag.error().describe();
          else parts.push_back({static_cast<int>(n), *etag});
        }
        if (error.empty())
          if (auto done = client.complete_multipart_upload(bucket, o.key, *upload, parts); !done)
            error = done.error().describe();
      }
    }
    if (!error.empty()) {
      std::lock_guard lock(errors_mutex);
      errors.push_back(o.key + ": " + error);
    }
  });
  for (const auto& e : errors) ADD_FAILURE() << "seeding " << e;
  return errors.empty();
}

std::map<std::string, std::string> bucket_digests(s3::S3Client& client, const std::string& bucket,
                                                  const std::string& prefix, int threads) {
  std::vector<std::string> keys;
  s3::ListRequest request{.bucket = bucket, .prefix = prefix};
  for (;;) {
    auto page = client.list_objects(request);
    if (!page) {
      ADD_FAILURE() << "listing " << bucket << ": " << page.error().describe();
      return {};
    }
    for (auto& o : page->objects) keys.push_back(o.key);
    if (!page->is_truncated) break;
    request.continuation = client.using_list_v1() ? page->next_marker : page->next_continuation_token;
  }
  std::vector<std::string> digests(keys.size());
  parallel_for(keys.size(), threads, [&](size_t i) {
    std::string data;
    auto got = client.get_object(bucket, keys[i], {}, [&](std::string_view c) -> Status {
      data.append(c);
      return {};
    });
    digests[i] = got ? md5_of(data, false) + ":" + std::to_string(data.size()) : "GET failed: " + got.error().code;
  });
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < keys.size(); ++i) out[keys[i].substr(prefix.size())] = digests[i];
  return out;
}

void remove_bucket(s3::S3Client& client, const std::string& bucket) {
  for (int round = 0; round < 100; ++round) {
    auto page = client.list_objects({.bucket = bucket});
    if (!page || page->objects.empty()) break;
    std::vector<std::string> keys;
    for (auto& o : page->objects) keys.push_back(o.key);
    (void)client.delete_objects(bucket, keys);
  }
  if (auto uploads = client.list_multipart_uploads(bucket, ""))
    for (auto& u : uploads->uploads) (void)client.abort_multipart_upload(bucket, u.key, u.upload_id);
  (void)client.delete_bucket(bucket);
}

std::string random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(size, '\0');
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  for (; i < size; ++i) s[i] = static_cast<char>(rng());
  return s;
}

}  // namespace s5j::testing
