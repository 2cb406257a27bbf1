// Building of S3 XML request bodies (CompleteMultipartUpload, DeleteObjects)
// and the check of what XML 1.0 can carry.
#include "s3/s3_xml.h"

#include <algorithm>
#include <cstdint>

namespace s5j::s3 {
namespace {

// Writes `s` escaped for XML element content. Not pugixml's writer: it emits
// CR raw, which every XML parser turns into LF (a DeleteObjects request would
// then name another key and S3 reports it "Deleted").
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20) {
          // TAB/LF/CR are legal as references; the others are not legal XML
          // 1.0 at all (see xml_can_carry) and the server rejects the body.
          out += "&#x";
          if (c >= 0x10) out += hex[c >> 4];
          out += hex[c & 0xF];
          out += ';';
        } else {
          out += ch;
        }
    }
  }
}

}  // namespace

std::string build_complete_multipart_upload(const std::vector<CompletedPart>& parts) {
  std::vector<const CompletedPart*> sorted;
  sorted.reserve(parts.size());
  for (const auto& p : parts) sorted.push_back(&p);
  // S3 rejects parts out of ascending order (InvalidPartOrder).
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const CompletedPart* a, const CompletedPart* b) { return a->part_number < b->part_number; });
  std::string out;
  out.reserve(120 + parts.size() * 96);
  out += R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  for (const CompletedPart* p : sorted) {
    out += "<Part><PartNumber>";
    out += std::to_string(p->part_number);
    out += "</PartNumber><ETag>&quot;";
    append_escaped(out, p->etag);
    out += "&quot;</ETag>";
    if (!p->checksum.empty()) {
      const std::string_view element = checksum_part_element(p->checksum.algorithm);
      out += "<";
      out += element;
      out += ">";
      append_escaped(out, p->checksum.value);
      out += "</";
      out += element;
      out += ">";
    }
    out += "</Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

std::string build_delete_objects(const std::vector<std::string>& keys, bool quiet) {
  std::string out;
  size_t total = 0;
  for (const auto& k : keys) total += k.size() + 32;
  out.reserve(160 + total);
  out += R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  out += quiet ? "<Quiet>true</Quiet>" : "<Quiet>false</Quiet>";
  for (const auto& k : keys) {
    out += "<Object><Key>";
    append_escaped(out, k);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

bool xml_can_carry(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t j = 1; j < len; ++j) {
      if ((s[i + j] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    // Overlong forms, surrogates, beyond U+10FFFF, and the two non-characters
    // XML excludes.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
      return false;
    i += len;
  }
  return true;
}

}  // namespace s5j::s3
