// Md5: streaming MD5 over OpenSSL EVP.
//
// MD5 is used here only as S3 uses it (ETag, Content-MD5), never for
// security. OpenSSL may refuse MD5 (a FIPS-only provider configuration), so
// creating a hasher is the one fallible step: Md5::create() reports it as a
// fatal "Md5Unavailable" error. After creation, update() and finish() cannot
// fail.
//
// Ownership: an Md5 owns its EVP context; it is move-only.
// Thread safety: one Md5 per thread; distinct objects are independent.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "base/error.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace s5j::checksum {

inline constexpr char kMd5Unavailable[] = "Md5Unavailable";

using Md5Digest = std::array<unsigned char, 16>;

class Md5 {
 public:
  // Fails with code "Md5Unavailable" (fatal) when OpenSSL offers no MD5.
  static Result<Md5> create();

  Md5(Md5&& other) noexcept;
  Md5& operator=(Md5&& other) noexcept;
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  ~Md5();

  void update(std::span<const unsigned char> data);
  void update(std::string_view data);
  // Returns the digest of everything fed since creation or the last
  // finish(), and starts over (the object can hash the next stream).
  Md5Digest finish();

 private:
  explicit Md5(evp_md_ctx_st* ctx) : ctx_(ctx) {}
  evp_md_ctx_st* ctx_ = nullptr;
};

// One-shot MD5; fails only as Md5::create() does.
Result<Md5Digest> md5_of(std::span<const unsigned char> data);
Result<Md5Digest> md5_of(std::string_view data);

// The crypto library's name and version as linked ("OpenSSL 3.0.15 3 Sep
// 2024"), for `s5j --version`.
std::string_view crypto_library_version();

}  // namespace s5j::checksum
