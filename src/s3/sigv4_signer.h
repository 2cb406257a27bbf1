// AWS Signature Version 4 for S3, to the letter (header-based auth).
//
// Pure: no I/O. The caller provides the encoded path it will send and the
// raw query parameters; the signer builds the canonical request, the string
// to sign and the Authorization header. Derived signing keys are cached per
// (date, region, service), so repeated signing costs one HMAC chain a day.
//
// Thread safety: sign() is safe from many threads (the cache is locked).
#pragma once

#include <openssl/types.h>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"
#include "s3/uri_encode.h"

namespace s5j::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never logged
  std::string session_token;      // optional (x-amz-security-token)
};

// SHA-256 of an empty body, hex.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigningRequest {
  std::string method;        // "GET"
  std::string host;          // Host header value: host, plus ":port" when not the scheme default
  std::string encoded_path;  // exactly the bytes sent on the request line
  QueryParams query;         // raw names/values; the signer encodes them
  http::Headers headers;     // extra headers to send; every one is signed (as botocore
                             // does) except user-agent, expect and x-amzn-trace-id.
                             // Content-Length is not listed: the transport sets it.
                             // Host, Authorization, x-amz-date, x-amz-content-sha256
                             // (and x-amz-security-token with a session token) belong
                             // to the signer: do not pass them; if passed they are
                             // left out of the signature (the returned ones replace them).
  std::string payload_sha256;  // hex SHA-256 of the body, or kUnsignedPayload
  std::string region;        // "us-east-1", "snow", ...
  std::string service = "s3";
  std::chrono::system_clock::time_point time;
};

struct SignedHeaders {
  // Headers to add to the request: Authorization, x-amz-date,
  // x-amz-content-sha256, x-amz-security-token (when a session token is set).
  http::Headers headers;
  // Intermediate artefacts, for tests and for debugging signature mismatches.
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // hex
};

class SigV4Signer {
 public:
  explicit SigV4Signer(Credentials credentials);
  SignedHeaders sign(const SigningRequest& request) const;
  const std::string& access_key_id() const { return credentials_.access_key_id; }

  // An OpenSSL HMAC context (EVP_MAC_CTX).
  using MacContext = std::unique_ptr<evp_mac_ctx_st, void (*)(evp_mac_ctx_st*)>;

 private:
  // A fresh HMAC-SHA256 context keyed with the day's signing key, ready for
  // the string to sign.
  MacContext signing_mac(std::string_view date, std::string_view region, std::string_view service) const;

  Credentials credentials_;
  struct KeyCache {
    std::string date, region, service;
    MacContext mac{nullptr, nullptr};  // keyed with the signing key; duplicated per request
  };
  mutable std::mutex cache_mutex_;
  mutable KeyCache cache_;  // guarded by cache_mutex_
};

// Canonical header block as SigV4 defines it: lower-case names, values
// trimmed with inner runs of whitespace collapsed to one space, sorted by
// name, duplicate names joined with ',' in the order given. Every header
// passed is included (no filtering). Returns {canonical_headers,
// signed_headers}: "name:value\n" per name (each line ends with '\n') and
// "name1;name2".
std::pair<std::string, std::string> canonical_headers(const http::Headers& headers);

// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace s5j::s3
