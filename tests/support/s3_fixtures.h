// Helpers for tests that need buckets on the test gateways: clients, seeding
// many objects in parallel, byte-for-byte comparison of two buckets, and
// removal of a bucket with everything in it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/transport.h"
#include "s3/s3_client.h"

namespace s5j::testing {

// A client for `endpoint` with the test credentials; `transport` defaults
// to a CurlTransport.
std::unique_ptr<s3::S3Client> make_test_client(const std::string& endpoint,
                                               std::shared_ptr<http::Transport> transport = nullptr);

struct SeedObject {
  std::string key;
  std::string data;
  uint64_t multipart_part_size = 0;  // > 0: upload with multipart in parts of this size
};

// Uploads every object with `threads` threads; fails the calling test (via
// ADD_FAILURE) on any error and returns false.
bool seed_objects(s3::S3Client& client, const std::string& bucket, const std::vector<SeedObject>& objects,
                  int threads = 8);

// Every key under `prefix` with the MD5 hex of its bytes (downloaded), key
// relative to the prefix.
std::map<std::string, std::string> bucket_digests(s3::S3Client& client, const std::string& bucket,
                                                  const std::string& prefix = {}, int threads = 8);

// Deletes every object and open multipart upload, then the bucket.
void remove_bucket(s3::S3Client& client, const std::string& bucket);

// Deterministic pseudo-random bytes.
std::string random_bytes(size_t size, uint64_t seed);

// A Transport that calls `before` for each request before passing it on to
// `inner` (e.g. to change the source object in the middle of its copy).
class HookTransport final : public http::Transport {
 public:
  using Hook = std::function<void(const http::Request&)>;
  HookTransport(std::shared_ptr<http::Transport> inner, Hook before)
      : inner_(std::move(inner)), before_(std::move(before)) {}
  Result<http::Response> perform(const http::Request& request) override {
    before_(request);
    return inner_->perform(request);
  }

 private:
  std::shared_ptr<http::Transport> inner_;
  Hook before_;
};

}  // namespace s5j::testing
