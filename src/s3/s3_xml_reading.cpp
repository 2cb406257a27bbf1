// The shared reading helpers of the S3 XML parsers (s3_xml_reading.h).
#include "s3/s3_xml_reading.h"

#include <optional>

#include "base/strings.h"
#include "s3/s3_error.h"

namespace s5j::s3::xml {
namespace {

Error error_from_body(const ErrorBody& b, std::string_view op) {
  Error e;
  e.code = b.code.empty() ? std::string(kInternalError) : b.code;
  // One classification for the whole client (s3_error.h): InternalError,
  // SlowDown, ... retryable; NoSuchKey, InvalidPart, ... permanent.
  e.kind = classify_s3_error(200, e.code);
  e.http_status = 200;
  e.request_id = b.request_id;
  e.message = std::string(op) + " answered with an error document";
  if (!b.message.empty()) e.message += ": " + b.message;
  return e;
}

}  // namespace

Error malformed(std::string_view op, std::string_view what) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = kMalformedXml;
  e.message = std::string(op) + ": " + std::string(what);
  return e;
}

std::string excerpt(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (v.size() > 64) out += "...";
  return out;
}

ErrorBody error_body_from(const pugi::xml_node& root) {
  ErrorBody b;
  for (auto c = root.first_child(); c; c = c.next_sibling()) {
    const char* n = c.name();
    if (std::strcmp(n, "Code") == 0)
      b.code = trim(text_of(c));
    else if (std::strcmp(n, "Message") == 0)
      b.message = trim(text_of(c));
    else if (std::strcmp(n, "RequestId") == 0)
      b.request_id = trim(text_of(c));
    else if (std::strcmp(n, "Region") == 0)
      b.region = trim(text_of(c));
    else if (std::strcmp(n, "Resource") == 0)
      b.resource = trim(text_of(c));
  }
  return b;
}

std::string_view skip_prologue_noise(std::string_view xml) {
  for (;;) {
    if (xml.starts_with("\xEF\xBB\xBF")) {
      xml.remove_prefix(3);
      continue;
    }
    if (!xml.empty() && (xml.front() == ' ' || xml.front() == '\t' || xml.front() == '\n' || xml.front() == '\r')) {
      xml.remove_prefix(1);
      continue;
    }
    return xml;
  }
}

Result<pugi::xml_node> load_root(pugi::xml_document& doc, std::string_view xml, std::string_view op,
                                 const char* expected, const char* also) {
  xml = skip_prologue_noise(xml);
  if (xml.empty()) return std::unexpected(malformed(op, "empty response body"));
  // load_buffer copies once into pugixml's own buffer and parses that in
  // place; an in-place parse of our own copy would cost the same.
  pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), kParseFlags, pugi::encoding_utf8);
  if (!r) {
    return std::unexpected(malformed(op, std::string("response is not well-formed XML (") + r.description() +
                                             " at byte " + std::to_string(r.offset) + ")"));
  }
  pugi::xml_node root = doc.document_element();
  if (!root) return std::unexpected(malformed(op, "response has no root element"));
  if (name_is(root, expected) || (also != nullptr && name_is(root, also))) return root;
  if (name_is(root, "Error")) return std::unexpected(error_from_body(error_body_from(root), op));
  return std::unexpected(malformed(op, std::string("expected <") + expected + ">, got <" + excerpt(root.name()) + ">"));
}


Result<bool> bool_field(std::string_view v, std::string_view op, const char* field) {
  v = trim(v);
  if (iequals(v, "true")) return true;
  if (iequals(v, "false")) return false;
  return std::unexpected(malformed(op, std::string("bad <") + field + "> '" + excerpt(v) + "'"));
}


std::string decode_marker(std::string_view marker, std::string_view last_raw, const std::string& last_decoded,
                          bool have_last) {
  if (have_last) {
    if (marker == last_raw) return last_decoded;
    if (marker == last_decoded) return std::string(marker);
  }
  std::string m(marker);
  form_decode_in_place(m);
  return m;
}

size_t count_children(const pugi::xml_node& root, const char* name) {
  size_t n = 0;
  for (auto c = root.first_child(); c; c = c.next_sibling())
    if (name_is(c, name)) ++n;
  return n;
}

}  // namespace s5j::s3::xml
