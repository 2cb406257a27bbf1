// Parsing of the S3 answers that are not listings: <Error> documents,
// CreateMultipartUpload, CompleteMultipartUpload, CopyObject /
// UploadPartCopy and DeleteObjects.
#include "s3/s3_xml.h"

#include <cstring>

#include "base/strings.h"
#include "s3/s3_xml_reading.h"

namespace s5j::s3 {

using namespace xml;

std::optional<ErrorBody> parse_error_body(std::string_view xml) {
  xml = skip_prologue_noise(xml);
  if (xml.empty()) return std::nullopt;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), kParseFlags, pugi::encoding_utf8)) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  if (!root || !name_is(root, "Error")) return std::nullopt;
  return error_body_from(root);
}

Result<std::string> parse_initiate_multipart_upload(std::string_view xml) {
  constexpr std::string_view op = "CreateMultipartUpload";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "InitiateMultipartUploadResult");
  if (!root) return std::unexpected(std::move(root.error()));
  std::string id(trim(text_of(root->child("UploadId"))));
  if (id.empty()) return std::unexpected(malformed(op, "no <UploadId>"));
  return id;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_tagging(std::string_view xml) {
  constexpr std::string_view op = "GetObjectTagging";
  std::vector<std::pair<std::string, std::string>> tags;
  if (trim(xml).empty()) return tags;  // Ceph RGW answers an object without tags with no body
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "Tagging");
  if (!root) return std::unexpected(std::move(root.error()));
  for (pugi::xml_node tag : root->child("TagSet").children("Tag"))
    tags.emplace_back(text_of(tag.child("Key")), text_of(tag.child("Value")));
  return tags;
}

Result<CompleteMultipartResult> parse_complete_multipart_upload(std::string_view xml) {
  constexpr std::string_view op = "CompleteMultipartUpload";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "CompleteMultipartUploadResult");
  if (!root) return std::unexpected(std::move(root.error()));
  CompleteMultipartResult r;
  r.etag = strip_etag(text_of(root->child("ETag")));  // Ceph 16: "<ETag></ETag>"
  r.location = trim(text_of(root->child("Location")));
  return r;
}

Result<CopyResult> parse_copy_result(std::string_view xml) {
  constexpr std::string_view op = "CopyObject";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "CopyObjectResult", "CopyPartResult");
  if (!root) return std::unexpected(std::move(root.error()));
  const std::string_view o = name_is(*root, "CopyPartResult") ? "UploadPartCopy" : op;
  CopyResult r;
  r.etag = strip_etag(text_of(root->child("ETag")));
  // The part ETag is needed for CompleteMultipartUpload; without it the
  // copy cannot be used.
  if (r.etag.empty()) return std::unexpected(malformed(o, "no <ETag>"));
  if (auto lm = root->child("LastModified")) {
    auto t = timestamp_field(text_of(lm), o, "LastModified");
    if (!t) return std::unexpected(std::move(t.error()));
    r.last_modified = *t;
  }
  return r;
}

Result<DeleteObjectsResult> parse_delete_objects(std::string_view xml) {
  constexpr std::string_view op = "DeleteObjects";
  pugi::xml_document doc;
  auto root = load_root(doc, xml, op, "DeleteResult");
  if (!root) return std::unexpected(std::move(root.error()));
  DeleteObjectsResult r;
  for (auto c = root->first_child(); c; c = c.next_sibling()) {
    if (name_is(c, "Deleted")) {
      r.deleted.emplace_back(c.child("Key").child_value());
    } else if (name_is(c, "Error")) {
      DeleteObjectsResult::Failure& f = r.errors.emplace_back();
      f.key = c.child("Key").child_value();
      f.code = trim(text_of(c.child("Code")));
      f.message = trim(text_of(c.child("Message")));
    }
  }
  return r;
}

}  // namespace s5j::s3
