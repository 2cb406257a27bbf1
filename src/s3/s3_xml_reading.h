// What every S3 XML parser (s3_xml_*.cpp) shares: pugixml's parse flags,
// loading a document that must have a given root element (an <Error> root
// becomes the S3 error it carries), field readers that fail with
// MalformedXML naming the operation, and the decoding of keys and markers
// of EncodingType=url pages. Internal to s3's XML sources; the contract is
// s3/s3_xml.h.
#pragma once

#include <pugixml.hpp>

#include <chrono>
#include <optional>
#include <cstring>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/strings.h"
#include "s3/s3_xml.h"
#include "s3/uri_encode.h"

namespace s5j::s3::xml {

using TimePoint = std::chrono::system_clock::time_point;

// - parse_escapes: &quot; &#x01; etc. (Ceph writes control characters in
//   keys as character references, which pugixml decodes without complaint).
// - parse_ws_pcdata_single: keeps "<Key> </Key>" (a key made of spaces is a
//   valid key) while dropping the indentation between elements.
// - no parse_eol: a raw CR inside a key can only come from a server writing
//   the key bytes verbatim; turning it into LF would name another object.
// - parse_embed_pcdata: the text lives in the element node (less memory and
//   one pointer hop less per field).
constexpr unsigned kParseFlags = pugi::parse_escapes | pugi::parse_cdata |
                                 pugi::parse_ws_pcdata_single | pugi::parse_embed_pcdata;

// Small, or once per listed object: inline (a listing page has 1,000).
inline bool name_is(const pugi::xml_node& n, const char* name) { return std::strcmp(n.name(), name) == 0; }

inline std::string_view text_of(const pugi::xml_node& n) { return n.child_value(); }

inline bool needs_form_decoding(std::string_view s) { return s.find_first_of("%+") != std::string_view::npos; }

inline void form_decode_in_place(std::string& s) {
  if (needs_form_decoding(s)) s = uri_decode(s, true);
}

inline std::string decoded(std::string_view raw, bool url_encoded) {
  if (url_encoded && needs_form_decoding(raw)) return uri_decode(raw, true);
  return std::string(raw);
}

// MalformedXML: "<op>: <what>", kind permanent.
Error malformed(std::string_view op, std::string_view what);

// Printable excerpt of a bad value for an error message.
std::string excerpt(std::string_view v);

// The fields of an <Error> document's root.
ErrorBody error_body_from(const pugi::xml_node& root);

// Leading whitespace is legal for CompleteMultipartUpload (S3 sends spaces
// to keep the connection alive before the document) and a UTF-8 BOM may
// precede the document; pugixml wants the declaration first, so skip both.
std::string_view skip_prologue_noise(std::string_view xml);

// Loads `xml` and returns its root element when it is named `expected` (or
// one of `expected`, `also`). An <Error> root becomes the S3 error.
Result<pugi::xml_node> load_root(pugi::xml_document& doc, std::string_view xml, std::string_view op,
                                 const char* expected, const char* also = nullptr);

// s[pos, pos + n) as a decimal number; -1 when a character is not a digit.
inline int digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "YYYY-MM-DDTHH:MM:SS[.fff...][Z|+HH:MM|-HH:MM|+HHMM]". Written out rather
// than calling parse_iso8601 (strptime + a string copy per call, measurable
// on 1,000-key pages) and because ListBuckets samples carry "+00:00".
inline std::optional<TimePoint> parse_timestamp(std::string_view s) {
  s = trim(s);
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const int h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: years 1678-2261 only.
  if (y < 1678 || y > 2261) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) ms = ms * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (; n < 3; ++n) ms *= 10;
  }
  int offset_min = 0;
  if (pos < s.size()) {
    const char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      ++pos;
      std::string_view rest = s.substr(pos);
      int oh = -1, om = -1;
      if (rest.size() == 5 && rest[2] == ':') {
        oh = digits(rest, 0, 2);
        om = digits(rest, 3, 2);
      } else if (rest.size() == 4) {
        oh = digits(rest, 0, 2);
        om = digits(rest, 2, 2);
      } else if (rest.size() == 2) {
        oh = digits(rest, 0, 2);
        om = 0;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
      offset_min = (c == '+' ? 1 : -1) * (oh * 60 + om);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  TimePoint t{std::chrono::sys_days{ymd}};
  t += std::chrono::hours(h) + std::chrono::minutes(mi - offset_min) + std::chrono::seconds(sec) +
       std::chrono::milliseconds(ms);
  return t;
}

// A timestamp field (the forms s3/s3_xml.h accepts), or MalformedXML naming
// `field`.
inline Result<TimePoint> timestamp_field(std::string_view v, std::string_view op, const char* field) {
  if (auto t = parse_timestamp(v)) return *t;
  return std::unexpected(malformed(op, std::string("bad <") + field + "> '" + excerpt(v) + "'"));
}

// "true" or "false" (any case), or MalformedXML naming `field`.
Result<bool> bool_field(std::string_view v, std::string_view op, const char* field);

// ETags come quoted ("..."), as &quot;...&quot; (decoded by the parser), as
// a literal &quot;...&quot; from servers that escape twice, or bare (Ceph's
// CopyObjectResult and CompleteMultipartUploadResult).
inline std::string strip_etag(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
  } else if (v.size() >= 12 && v.starts_with("&quot;") && v.ends_with("&quot;")) {
    v = v.substr(6, v.size() - 12);
  }
  return std::string(v);
}

// The next marker of an url-encoded page: AWS encodes NextMarker /
// NextKeyMarker, Ceph writes them raw. Both name the last entry, so compare
// with its encoded (as in the document) and decoded forms before falling
// back to decoding (the documented behaviour).
std::string decode_marker(std::string_view marker, std::string_view last_raw, const std::string& last_decoded,
                          bool have_last);

// Children of `root` named `name`, for reserve().
size_t count_children(const pugi::xml_node& root, const char* name);

}  // namespace s5j::s3::xml
