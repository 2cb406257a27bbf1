// Tests for the parsers of the S3 answers that are not listings
// (src/s3/s3_xml_responses.cpp).
#include "s3/s3_xml.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/s3/s3_xml_samples.h"

namespace s5j::s3 {
namespace {

using namespace xml_samples;

// ---- Error documents -----------------------------------------------------

TEST(ErrorBody, CephAndAwsDocuments) {
  auto ceph = parse_error_body(kCephNoSuchKey);
  ASSERT_TRUE(ceph.has_value());
  EXPECT_EQ(ceph->code, "NoSuchKey");
  EXPECT_EQ(ceph->message, "");
  EXPECT_EQ(ceph->request_id, "tx00000a7ec22115fb34558-006b0156ae-100a-default");

  auto aws = parse_error_body(kAwsNoSuchKey);
  ASSERT_TRUE(aws.has_value());
  EXPECT_EQ(aws->code, "NoSuchKey");
  EXPECT_EQ(aws->message, "The resource you requested does not exist");
  EXPECT_EQ(aws->resource, "/mybucket/myfoto.jpg");
  EXPECT_EQ(aws->request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(aws->region, "");

  auto region = parse_error_body(kAwsAuthHeaderMalformed);
  ASSERT_TRUE(region.has_value());
  EXPECT_EQ(region->code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(region->region, "eu-west-1");
}

TEST(ErrorBody, NotAnErrorDocument) {
  EXPECT_FALSE(parse_error_body(kCephV2Plain).has_value());
  EXPECT_FALSE(parse_error_body("").has_value());
  EXPECT_FALSE(parse_error_body("<html><body>502 Bad Gateway</body></html>").has_value());
  EXPECT_FALSE(parse_error_body("<Error><Code>Trunc").has_value());
  EXPECT_FALSE(parse_error_body("Service Unavailable").has_value());
}

// ---- Multipart -----------------------------------------------------------

TEST(InitiateMultipartUpload, UploadId) {
  auto ceph = parse_initiate_multipart_upload(kCephInitiate);
  ASSERT_TRUE(ceph.has_value()) << ceph.error().describe();
  EXPECT_EQ(*ceph, "2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN");
  auto aws = parse_initiate_multipart_upload(kAwsInitiate);
  ASSERT_TRUE(aws.has_value()) << aws.error().describe();
  EXPECT_EQ(*aws, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");

  auto none = parse_initiate_multipart_upload("<InitiateMultipartUploadResult><Key>k</Key></InitiateMultipartUploadResult>");
  ASSERT_FALSE(none.has_value());
  expect_malformed(none.error(), "CreateMultipartUpload");
}

TEST(CompleteMultipartUpload, CephEmptyEtagIsAccepted) {
  auto r = parse_complete_multipart_upload(kCephCompleteEmptyEtag);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->etag, "");
  EXPECT_EQ(r->location, "http://127.0.0.1:17480/xml-fixtures-205825052/mp \xC3\xBC+key");

  auto retried = parse_complete_multipart_upload(kCephCompleteRetried);
  ASSERT_TRUE(retried.has_value()) << retried.error().describe();
  EXPECT_EQ(retried->etag, "fc54d49da384046fb91f10c44f86a11e-2");  // unquoted on Ceph

  auto aws = parse_complete_multipart_upload(kAwsComplete);
  ASSERT_TRUE(aws.has_value()) << aws.error().describe();
  EXPECT_EQ(aws->etag, "3858f62230ac3c915f300c664312c11f-9");
  EXPECT_EQ(aws->location, "http://Example-Bucket.s3.Region.amazonaws.com/Example-Object");
}

TEST(CompleteMultipartUpload, ErrorInside200IsReturnedAsError) {
  auto r = parse_complete_multipart_upload(kAwsComplete200Error);
  ASSERT_FALSE(r.has_value());
  const Error& e = r.error();
  EXPECT_EQ(e.code, "InternalError");
  EXPECT_EQ(e.kind, ErrorKind::retryable);
  EXPECT_EQ(e.http_status, 200);
  EXPECT_EQ(e.request_id, "656c76696e6727732072657175657374");
  EXPECT_NE(e.message.find("CompleteMultipartUpload"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("We encountered an internal error"), std::string::npos) << e.message;

  auto slow = parse_complete_multipart_upload("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>");
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code, "SlowDown");
  EXPECT_TRUE(slow.error().retryable());

  auto invalid = parse_complete_multipart_upload("<Error><Code>InvalidPart</Code></Error>");
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, "InvalidPart");
  EXPECT_EQ(invalid.error().kind, ErrorKind::permanent);

  auto nocode = parse_complete_multipart_upload("<Error><Message>x</Message></Error>");
  ASSERT_FALSE(nocode.has_value());
  EXPECT_EQ(nocode.error().code, "InternalError");
}

TEST(CopyResult, CephAndAwsShapes) {
  auto obj = parse_copy_result(kCephCopyObject);
  ASSERT_TRUE(obj.has_value()) << obj.error().describe();
  EXPECT_EQ(obj->etag, "b1946ac92492d2347c6235b4d2611184");  // Ceph: no quotes
  EXPECT_EQ(obj->last_modified, at("2026-11-21T08:30:54.575Z"));

  auto part = parse_copy_result(kCephCopyPart);
  ASSERT_TRUE(part.has_value()) << part.error().describe();
  EXPECT_EQ(part->etag, "b2cbbc7e411e38efbc3dd992d4054682");

  auto aws = parse_copy_result(kAwsCopyObject);
  ASSERT_TRUE(aws.has_value()) << aws.error().describe();
  EXPECT_EQ(aws->etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(aws->last_modified, at("2009-10-28T22:32:00.000Z"));

  auto aws_part = parse_copy_result(kAwsCopyPart);
  ASSERT_TRUE(aws_part.has_value()) << aws_part.error().describe();
  EXPECT_EQ(aws_part->last_modified, at("2011-04-11T20:34:56.000Z"));
}

TEST(CopyResult, ErrorsAndMalformed) {
  auto err = parse_copy_result(std::string("\n\n") + std::string(kCephNoSuchKey));
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code, "NoSuchKey");
  EXPECT_EQ(err.error().kind, ErrorKind::permanent);
  EXPECT_EQ(err.error().http_status, 200);

  auto internal = parse_copy_result(kAwsComplete200Error);
  ASSERT_FALSE(internal.has_value());
  EXPECT_TRUE(internal.error().retryable());
  EXPECT_NE(internal.error().message.find("CopyObject"), std::string::npos);

  auto no_etag = parse_copy_result("<CopyPartResult><LastModified>2011-04-11T20:34:56.000Z</LastModified></CopyPartResult>");
  ASSERT_FALSE(no_etag.has_value());
  expect_malformed(no_etag.error(), "UploadPartCopy");

  auto wrong = parse_copy_result(kCephInitiate);
  ASSERT_FALSE(wrong.has_value());
  expect_malformed(wrong.error(), "CopyObject");
}

// ---- Deletes -------------------------------------------------------------

TEST(DeleteObjects, CephAndAwsResults) {
  auto ceph = parse_delete_objects(kCephDeleteResult);
  ASSERT_TRUE(ceph.has_value()) << ceph.error().describe();
  EXPECT_EQ(ceph->deleted, (std::vector<std::string>{"does-not-exist", "a.txt", "amp&lt<gt>\"q'",
                                                     "\xC3\xBC/\xE6\x97\xA5\xE6\x9C\xAC.txt"}));
  EXPECT_TRUE(ceph->errors.empty());

  auto quiet = parse_delete_objects(kCephDeleteQuiet);
  ASSERT_TRUE(quiet.has_value());
  EXPECT_TRUE(quiet->deleted.empty());
  EXPECT_TRUE(quiet->errors.empty());

  auto aws = parse_delete_objects(kAwsDeleteResult);
  ASSERT_TRUE(aws.has_value()) << aws.error().describe();
  EXPECT_EQ(aws->deleted, (std::vector<std::string>{"sample1.txt", "sample3.txt"}));
  ASSERT_EQ(aws->errors.size(), 1u);
  EXPECT_EQ(aws->errors[0].key, "sample2.txt");
  EXPECT_EQ(aws->errors[0].code, "AccessDenied");
  EXPECT_EQ(aws->errors[0].message, "Access Denied");

  auto wrong = parse_delete_objects("<Delete><Object><Key>a</Key></Object></Delete>");
  ASSERT_FALSE(wrong.has_value());
  expect_malformed(wrong.error(), "DeleteObjects");
}

}  // namespace
}  // namespace s5j::s3
