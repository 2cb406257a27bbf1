// SigV4 signing and URI encoding on the request hot path.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "s3/sigv4_signer.h"
#include "s3/uri_encode.h"

namespace {

using namespace std::chrono;
using s5j::s3::SigningRequest;

const s5j::s3::Credentials kCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

// A 200-byte key with a realistic mix: path separators, digits, spaces and
// a few multi-byte UTF-8 characters.
std::string key_200() {
  std::string key;
  const char* parts[] = {"datasets/", "2024-02-29/", "camera 07/", "frame_000123.jpg/", "répertoire/", "雪/"};
  for (size_t i = 0; key.size() < 200; ++i) key += parts[i % 6];
  key.resize(200);
  return key;
}

SigningRequest typical_get() {
  SigningRequest r;
  r.method = "GET";
  r.host = "192.168.1.10:8080";
  r.encoded_path = s5j::s3::encode_path_style("snowball-bucket", "datasets/2024/camera 07/frame_000123.jpg");
  r.headers = {{"Range", "bytes=8388608-16777215"}, {"If-Match", "\"9b2cf535f27731c974343645a3985328-12\""}};
  r.payload_sha256 = std::string(s5j::s3::kEmptyPayloadSha256);
  r.region = "snow";
  r.time = sys_days{2024y / February / 29} + 12h;
  return r;
}

SigningRequest put_with_metadata() {
  SigningRequest r;
  r.method = "PUT";
  r.host = "examplebucket.s3.eu-west-1.amazonaws.com";
  r.encoded_path = s5j::s3::encode_virtual_hosted("datasets/2024/camera 07/frame_000123.jpg");
  r.query = {{"partNumber", "17"}, {"uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"}};
  r.headers = {{"Content-Type", "image/jpeg"},
               {"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
               {"x-amz-meta-camera", "07"},
               {"x-amz-meta-captured-at", "2024-02-29T12:00:00Z"},
               {"x-amz-meta-original-name", "frame 000123.jpg"},
               {"x-amz-storage-class", "STANDARD_IA"},
               {"User-Agent", "s5j/0.1"}};
  r.payload_sha256 = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  r.region = "eu-west-1";
  r.time = sys_days{2024y / February / 29} + 12h;
  return r;
}

void BM_SigV4_SignGet(benchmark::State& state) {
  const s5j::s3::SigV4Signer signer(kCredentials);
  const SigningRequest r = typical_get();
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(r));
}
BENCHMARK(BM_SigV4_SignGet);

void BM_SigV4_SignPutWithMetadata(benchmark::State& state) {
  const s5j::s3::SigV4Signer signer(kCredentials);
  const SigningRequest r = put_with_metadata();
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(r));
}
BENCHMARK(BM_SigV4_SignPutWithMetadata);

// Key derivation on every call (the cache misses because the region
// alternates): the cost a day change or a region switch adds.
void BM_SigV4_SignGetKeyCacheMiss(benchmark::State& state) {
  const s5j::s3::SigV4Signer signer(kCredentials);
  SigningRequest a = typical_get(), b = typical_get();
  b.region = "us-east-1";
  bool flip = false;
  for (auto _ : state) {
    benchmark::DoNotOptimize(signer.sign(flip ? a : b));
    flip = !flip;
  }
}
BENCHMARK(BM_SigV4_SignGetKeyCacheMiss);

void BM_UriEncode_Key200(benchmark::State& state) {
  const std::string key = key_200();
  for (auto _ : state) benchmark::DoNotOptimize(s5j::s3::uri_encode(key, true));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(key.size()));
}
BENCHMARK(BM_UriEncode_Key200);

}  // namespace
