#include "checksum/md5.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <utility>

namespace s5j::checksum {
namespace {

// Fetch the implementation once: EVP_DigestInit_ex with EVP_md5() would do
// an implicit provider lookup (and take a lock) on every part hashed.
// The fetched EVP_MD lives for the whole process on purpose.
const EVP_MD* md5_algorithm() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

}  // namespace

Result<Md5> Md5::create() {
  const EVP_MD* md = md5_algorithm();
  if (md == nullptr) {
    return make_error(ErrorKind::fatal, kMd5Unavailable,
                      "OpenSSL offers no MD5 (FIPS-only configuration?); enable the default provider");
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return make_error(ErrorKind::fatal, kMd5Unavailable, "cannot initialise an OpenSSL MD5 context");
  }
  return Md5(ctx);
}

Md5::Md5(Md5&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Md5& Md5::operator=(Md5&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Md5::~Md5() { EVP_MD_CTX_free(ctx_); }

void Md5::update(std::span<const unsigned char> data) {
  // EVP_DigestUpdate cannot fail for MD5 once the context is initialised.
  if (!data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
}

void Md5::update(std::string_view data) {
  update(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

Md5Digest Md5::finish() {
  Md5Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, out.data(), &len);
  // Re-initialising with the same algorithm reuses the context's memory and
  // cannot fail: the algorithm was usable when this object was created.
  EVP_DigestInit_ex(ctx_, md5_algorithm(), nullptr);
  return out;
}

Result<Md5Digest> md5_of(std::span<const unsigned char> data) {
  auto md5 = Md5::create();
  if (!md5) return std::unexpected(md5.error());
  md5->update(data);
  return md5->finish();
}

Result<Md5Digest> md5_of(std::string_view data) {
  return md5_of(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

std::string_view crypto_library_version() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace s5j::checksum
