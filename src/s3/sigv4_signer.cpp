#include "s3/sigv4_signer.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <span>
#include <stdexcept>
#include <vector>

namespace s5j::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr size_t kDigestSize = 32;
using Digest = std::array<unsigned char, kDigestSize>;

// Fetched once: with OpenSSL 3 an implicit EVP_sha256() lookup inside
// EVP_Digest costs a provider fetch per call, which shows on a path that
// hashes every request.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

Digest sha256(std::string_view data) {
  Digest out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, sha256_md(), nullptr) != 1 || len != kDigestSize)
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return out;
}

Digest hmac_sha256(std::span<const unsigned char> key, std::string_view data) {
  Digest out;
  unsigned int len = 0;
  if (HMAC(sha256_md(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &len) == nullptr ||
      len != kDigestSize)
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  return out;
}

// HMAC-SHA256 keyed once, for the per-request signature: the signing key
// changes once a day, and a context keyed with it is duplicated per request
// instead of running HMAC() (which fetches the algorithm from the provider
// store and sets the key up each time: about half of a request's signing).
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

void free_mac(evp_mac_ctx_st* ctx) { EVP_MAC_CTX_free(ctx); }

SigV4Signer::MacContext keyed_hmac_sha256(std::span<const unsigned char> key) {
  SigV4Signer::MacContext ctx(hmac_algorithm() != nullptr ? EVP_MAC_CTX_new(hmac_algorithm()) : nullptr, free_mac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1)
    throw std::runtime_error("OpenSSL HMAC-SHA256 setup failed");
  return ctx;
}

Digest finish_hmac(SigV4Signer::MacContext ctx, std::string_view data) {
  Digest out;
  size_t len = 0;
  if (ctx == nullptr || EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != kDigestSize)
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  return out;
}

// Grows `out` by `add` bytes written by `fill(char* at)`; returns the exact
// size because libstdc++ 12's resize_and_overwrite may pass the callback a
// larger size than requested after reallocating.
template <class Fill>
void append_raw(std::string& out, size_t add, Fill fill) {
  const size_t old = out.size();
  const size_t want = old + add;
  out.resize_and_overwrite(want, [&](char* p, size_t) {
    fill(p + old);
    return want;
  });
}

// Appends lower-case hex of a digest without a temporary string.
void append_hex(std::string& out, const Digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  append_raw(out, 2 * d.size(), [&](char* p) {
    for (unsigned char b : d) {
      *p++ = digits[b >> 4];
      *p++ = digits[b & 0xf];
    }
  });
}

// "YYYYMMDDTHHMMSSZ" computed with <chrono> calendar arithmetic: no
// gmtime/strftime (locale, TZ lookups) on every request.
std::array<char, 16> amz_datetime(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  std::array<char, 16> out;
  auto put = [&](size_t at, unsigned value, size_t width) {
    for (size_t i = width; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put(4, static_cast<unsigned>(ymd.month()), 2);
  put(6, static_cast<unsigned>(ymd.day()), 2);
  out[8] = 'T';
  put(9, static_cast<unsigned>(hms.hours().count()), 2);
  put(11, static_cast<unsigned>(hms.minutes().count()), 2);
  put(13, static_cast<unsigned>(hms.seconds().count()), 2);
  out[15] = 'Z';
  return out;
}

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

inline char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// One header as it enters the canonical block: `name` is already lower-case.
struct Entry {
  std::string_view name;
  std::string_view value;
};

// Entries live on the stack for ordinary requests; only a request with an
// unusual number of headers pays for a heap array.
class EntryList {
 public:
  explicit EntryList(size_t capacity) {
    if (capacity > inline_.size()) {
      heap_.resize(capacity);
      data_ = heap_.data();
    }
  }
  void push(std::string_view name, std::string_view value) { data_[size_++] = Entry{name, value}; }
  Entry* begin() { return data_; }
  Entry* end() { return data_ + size_; }
  size_t size() const { return size_; }

 private:
  std::array<Entry, 24> inline_;
  std::vector<Entry> heap_;
  Entry* data_ = inline_.data();
  size_t size_ = 0;
};

// Lower-cases every caller header name into one buffer (one allocation);
// the returned string must outlive the views into it.
std::string lowered_names(const http::Headers& headers) {
  size_t total = 0;
  for (const auto& h : headers) total += h.name.size();
  std::string buf;
  append_raw(buf, total, [&](char* p) {
    for (const auto& h : headers)
      for (char c : h.name) *p++ = lower_ascii(c);
  });
  return buf;
}

// Stable sort by name, so duplicate names keep the caller's order when their
// values are comma-joined. Header lists are short: insertion sort needs no
// buffer; long lists fall back to std::stable_sort.
void sort_entries(Entry* first, Entry* last) {
  auto less = [](const Entry& a, const Entry& b) { return a.name < b.name; };
  if (last - first > 32) {
    std::stable_sort(first, last, less);
    return;
  }
  for (Entry* i = first + (first != last ? 1 : 0); i < last; ++i) {
    Entry tmp = *i;
    Entry* j = i;
    for (; j > first && less(tmp, *(j - 1)); --j) *j = *(j - 1);
    *j = tmp;
  }
}

// Trimall: drop leading/trailing whitespace and collapse inner runs to one
// space, as botocore's ' '.join(value.split()) does for ASCII whitespace.
void append_trimall(std::string& out, std::string_view v) {
  bool pending_space = false, any = false;
  for (char c : v) {
    if (is_ws(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    any = true;
    out.push_back(c);
  }
}

// Appends the canonical header lines to `canonical` and the signed-header
// list to `signed_headers`. Entries must be sorted.
void append_canonical_block(std::string& canonical, std::string& signed_headers, const Entry* first,
                            const Entry* last) {
  for (const Entry* e = first; e != last;) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers.append(e->name);
    canonical.append(e->name);
    canonical.push_back(':');
    const std::string_view name = e->name;
    append_trimall(canonical, e->value);
    for (++e; e != last && e->name == name; ++e) {
      canonical.push_back(',');
      append_trimall(canonical, e->value);
    }
    canonical.push_back('\n');
  }
}

size_t block_size_hint(const Entry* first, const Entry* last) {
  size_t n = 0;
  for (const Entry* e = first; e != last; ++e) n += e->name.size() + e->value.size() + 2;
  return n;
}

// Headers the signer owns or must never sign. Caller copies of the owned
// ones are ignored (ours replace them, as botocore deletes and re-adds them);
// user-agent, expect and x-amzn-trace-id are botocore's unsigned list
// (proxies and SDK layers may rewrite them).
bool skipped_header(std::string_view lname, bool have_token) {
  switch (lname.size()) {
    case 4:
      return lname == "host";
    case 6:
      return lname == "expect";
    case 10:
      return lname == "user-agent" || lname == "x-amz-date";
    case 13:
      return lname == "authorization";
    case 15:
      return lname == "x-amzn-trace-id";
    case 20:
      if (lname == "x-amz-content-sha256") return true;
      // Without session credentials a caller-supplied token is sent, so it
      // is signed (botocore keeps it likewise).
      return lname == "x-amz-security-token" && have_token;
    default:
      return false;
  }
}

}  // namespace

SigV4Signer::SigV4Signer(Credentials credentials) : credentials_(std::move(credentials)) {}

SigV4Signer::MacContext SigV4Signer::signing_mac(std::string_view date, std::string_view region,
                                                 std::string_view service) const {
  std::lock_guard lock(cache_mutex_);
  if (cache_.date == date && cache_.region == region && cache_.service == service && cache_.mac != nullptr)
    return MacContext(EVP_MAC_CTX_dup(cache_.mac.get()), free_mac);

  std::string secret;
  secret.reserve(4 + credentials_.secret_access_key.size());
  secret.append("AWS4").append(credentials_.secret_access_key);
  const auto as_bytes = [](std::string_view s) {
    return std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  const Digest k_date = hmac_sha256(as_bytes(secret), date);
  const Digest k_region = hmac_sha256(k_date, region);
  const Digest k_service = hmac_sha256(k_region, service);
  Digest k_signing = hmac_sha256(k_service, "aws4_request");
  OPENSSL_cleanse(secret.data(), secret.size());

  cache_.date.assign(date);
  cache_.region.assign(region);
  cache_.service.assign(service);
  cache_.mac = keyed_hmac_sha256(k_signing);
  OPENSSL_cleanse(k_signing.data(), k_signing.size());
  return MacContext(EVP_MAC_CTX_dup(cache_.mac.get()), free_mac);
}

SignedHeaders SigV4Signer::sign(const SigningRequest& request) const {
  const std::array<char, 16> datetime_buf = amz_datetime(request.time);
  const std::string_view datetime(datetime_buf.data(), datetime_buf.size());
  const std::string_view date = datetime.substr(0, 8);
  const bool have_token = !credentials_.session_token.empty();

  // Gather the headers to sign: the caller's (minus the skipped ones) and ours.
  const std::string lnames = lowered_names(request.headers);
  EntryList entries(request.headers.size() + 4);
  size_t offset = 0;
  for (const auto& h : request.headers) {
    const std::string_view lname(lnames.data() + offset, h.name.size());
    offset += h.name.size();
    if (!skipped_header(lname, have_token)) entries.push(lname, h.value);
  }
  entries.push("host", request.host);
  entries.push("x-amz-content-sha256", request.payload_sha256);
  entries.push("x-amz-date", datetime);
  if (have_token) entries.push("x-amz-security-token", credentials_.session_token);
  sort_entries(entries.begin(), entries.end());

  // Canonical request:
  //   method \n path \n query \n header lines (each ending \n) \n signed-headers \n payload-hash
  const std::string query = canonical_query_string(request.query);
  SignedHeaders out;
  std::string& cr = out.canonical_request;
  std::string signed_list;
  signed_list.reserve(entries.size() * 16);
  cr.reserve(request.method.size() + request.encoded_path.size() + query.size() +
             block_size_hint(entries.begin(), entries.end()) + 160 + request.payload_sha256.size());
  cr.append(request.method).push_back('\n');
  cr.append(request.encoded_path).push_back('\n');
  cr.append(query).push_back('\n');
  append_canonical_block(cr, signed_list, entries.begin(), entries.end());
  cr.push_back('\n');
  cr.append(signed_list).push_back('\n');
  cr.append(request.payload_sha256);

  // Credential scope and string to sign.
  std::string scope;
  scope.reserve(8 + request.region.size() + request.service.size() + 16);
  scope.append(date).append("/").append(request.region).append("/").append(request.service).append("/aws4_request");

  std::string& sts = out.string_to_sign;
  sts.reserve(kAlgorithm.size() + datetime.size() + scope.size() + 3 + 2 * kDigestSize);
  sts.append(kAlgorithm).push_back('\n');
  sts.append(datetime).push_back('\n');
  sts.append(scope).push_back('\n');
  append_hex(sts, sha256(cr));

  append_hex(out.signature, finish_hmac(signing_mac(date, request.region, request.service), sts));

  std::string authorization;
  authorization.reserve(kAlgorithm.size() + 13 + credentials_.access_key_id.size() + 1 + scope.size() + 16 +
                        signed_list.size() + 12 + out.signature.size());
  authorization.append(kAlgorithm)
      .append(" Credential=")
      .append(credentials_.access_key_id)
      .append("/")
      .append(scope)
      .append(", SignedHeaders=")
      .append(signed_list)
      .append(", Signature=")
      .append(out.signature);

  out.headers.reserve(have_token ? 4 : 3);
  out.headers.push_back({"Authorization", std::move(authorization)});
  out.headers.push_back({"x-amz-date", std::string(datetime)});
  out.headers.push_back({"x-amz-content-sha256", request.payload_sha256});
  if (have_token) out.headers.push_back({"x-amz-security-token", credentials_.session_token});
  return out;
}

std::pair<std::string, std::string> canonical_headers(const http::Headers& headers) {
  const std::string lnames = lowered_names(headers);
  EntryList entries(headers.size());
  size_t offset = 0;
  for (const auto& h : headers) {
    entries.push(std::string_view(lnames.data() + offset, h.name.size()), h.value);
    offset += h.name.size();
  }
  sort_entries(entries.begin(), entries.end());
  std::pair<std::string, std::string> out;
  out.first.reserve(block_size_hint(entries.begin(), entries.end()));
  append_canonical_block(out.first, out.second, entries.begin(), entries.end());
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::string out;
  append_hex(out, sha256(data));
  return out;
}

}  // namespace s5j::s3
