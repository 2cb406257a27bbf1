#include "s3/uri_encode.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace s5j::s3 {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";

// Byte class table: 1 = unreserved (copied as is), 0 = percent-encoded.
// A table lookup beats a chain of range comparisons on every byte of every
// key and query value we sign.
constexpr std::array<uint8_t, 256> make_unreserved_table() {
  std::array<uint8_t, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = 1;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 1;
  for (int c = '0'; c <= '9'; ++c) t[c] = 1;
  t['-'] = t['.'] = t['_'] = t['~'] = 1;
  return t;
}
constexpr auto kUnreserved = make_unreserved_table();

inline bool kept(unsigned char c, bool keep_slash) { return kUnreserved[c] != 0 || (keep_slash && c == '/'); }

size_t encoded_size(std::string_view s, bool keep_slash) {
  size_t n = 0;
  for (unsigned char c : s) n += kept(c, keep_slash) ? 1 : 3;
  return n;
}

// Writes the encoding of `s` at `out`, which has room for encoded_size(s).
char* encode_into(char* out, std::string_view s, bool keep_slash) {
  for (unsigned char c : s) {
    if (kept(c, keep_slash)) {
      *out++ = static_cast<char>(c);
    } else {
      *out++ = '%';
      *out++ = kHexUpper[c >> 4];
      *out++ = kHexUpper[c & 0xf];
    }
  }
  return out;
}

// Grows `out` by `add` bytes written by `fill(char* at)`. Returns the exact
// size from the callback: libstdc++ 12's resize_and_overwrite may hand the
// callback a larger size than asked for when it reallocates, so returning
// the size it passes in would expose uninitialised bytes.
template <class Fill>
void append_raw(std::string& out, size_t add, Fill fill) {
  const size_t want = out.size() + add;
  const size_t old = out.size();
  out.resize_and_overwrite(want, [&](char* p, size_t) {
    fill(p + old);
    return want;
  });
}

// Appends the encoding of `s` to `out`; one size pass first so the string
// grows at most once.
void append_encoded(std::string& out, std::string_view s, bool keep_slash) {
  append_raw(out, encoded_size(s, keep_slash), [&](char* p) { encode_into(p, s, keep_slash); });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  append_encoded(out, s, keep_slash);
  return out;
}

std::string encode_path_style(std::string_view bucket, std::string_view key) {
  if (bucket.empty()) return std::string(1, '/');  // ListBuckets
  // The bucket is one path segment: a '/' in it would be a caller bug, and
  // encoding it keeps the segment boundary honest.
  const size_t b = encoded_size(bucket, false);
  const size_t k = key.empty() ? 0 : 1 + encoded_size(key, true);
  std::string out;
  append_raw(out, 1 + b + k, [&](char* p) {
    *p++ = '/';
    p = encode_into(p, bucket, false);
    if (!key.empty()) {
      *p++ = '/';
      encode_into(p, key, true);
    }
  });
  return out;
}

std::string encode_virtual_hosted(std::string_view key) {
  std::string out;
  append_raw(out, 1 + encoded_size(key, true), [&](char* p) {
    *p = '/';
    encode_into(p + 1, key, true);
  });
  return out;
}

std::string canonical_query_string(const QueryParams& params) {
  std::string out;
  if (params.empty()) return out;

  // Encode every name and value once into one scratch buffer and sort small
  // index records over it: two allocations whatever the number of params,
  // instead of two strings per param.
  struct Item {
    uint32_t name_off, name_len, value_off, value_len;
  };
  size_t total = 0;
  for (const auto& [name, value] : params) total += encoded_size(name, false) + encoded_size(value, false);

  std::string scratch;
  std::vector<Item> items;
  items.reserve(params.size());
  append_raw(scratch, total, [&](char* base) {
    char* p = base;
    for (const auto& [name, value] : params) {
      Item it;
      it.name_off = static_cast<uint32_t>(p - base);
      p = encode_into(p, name, false);
      it.name_len = static_cast<uint32_t>(p - base) - it.name_off;
      it.value_off = static_cast<uint32_t>(p - base);
      p = encode_into(p, value, false);
      it.value_len = static_cast<uint32_t>(p - base) - it.value_off;
      items.push_back(it);
    }
  });

  const std::string_view sv(scratch);
  auto name_of = [&](const Item& it) { return sv.substr(it.name_off, it.name_len); };
  auto value_of = [&](const Item& it) { return sv.substr(it.value_off, it.value_len); };
  // Encoded strings are pure ASCII, so byte order here equals the code-point
  // order botocore (and AWS) sort by.
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    const int c = name_of(a).compare(name_of(b));
    return c != 0 ? c < 0 : value_of(a) < value_of(b);
  });

  out.reserve(total + 2 * items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out.push_back('&');
    out.append(name_of(items[i]));
    out.push_back('=');  // valueless parameters are "name=" in SigV4
    out.append(value_of(items[i]));
  }
  return out;
}

std::string uri_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi << 4 | lo));
        i += 2;
        continue;
      }
      out.push_back(c);  // invalid escape: kept as is
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace s5j::s3
