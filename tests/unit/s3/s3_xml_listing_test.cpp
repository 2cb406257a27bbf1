// Tests for the parsers of S3 listing pages (src/s3/s3_xml_listing.cpp):
// ListObjectsV2 / ListObjects, ListMultipartUploads and ListBuckets.
#include "s3/s3_xml.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "unit/s3/s3_xml_samples.h"

namespace s5j::s3 {
namespace {

using namespace xml_samples;

// ---- ListObjectsV2 -------------------------------------------------------

TEST(ListObjectsV2, CephPlainPageKeepsEveryKeyByteForByte) {
  auto page = parse_list_objects_v2(kCephV2Plain);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_FALSE(page->url_encoded);
  EXPECT_FALSE(page->is_truncated);
  EXPECT_EQ(keys_of(*page), kCephKeys);
  const ObjectInfo& first = page->objects.front();
  EXPECT_EQ(first.size, 6u);
  EXPECT_EQ(first.etag, "b1946ac92492d2347c6235b4d2611184");  // from &quot;...&quot;
  EXPECT_EQ(first.last_modified, at("2026-11-21T08:30:36.470Z"));
  EXPECT_EQ(first.storage_class, "STANDARD");
  EXPECT_TRUE(page->common_prefixes.empty());
  EXPECT_TRUE(page->next_continuation_token.empty());
}

TEST(ListObjectsV2, CephUrlEncodedPageDecodesToTheSameKeys) {
  auto page = parse_list_objects_v2(kCephV2Url);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->url_encoded);
  EXPECT_EQ(keys_of(*page), kCephKeys);  // %01, %7F, %2B, %20, %C3%BC ... round-trip
}

TEST(ListObjectsV2, ContinuationTokenIsOpaqueAndNeverDecoded) {
  auto page = parse_list_objects_v2(kCephV2UrlDelimTrunc);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_continuation_token, "amp&lt<gt>\"q'");  // Ceph uses the raw key
  ASSERT_EQ(page->objects.size(), 3u);
  EXPECT_EQ(page->objects[2].key, "amp&lt<gt>\"q'");
}

TEST(ListObjectsV2, EncodedCommonPrefixesAreDecoded) {
  auto page = parse_list_objects_v2(kCephV2UrlUnicodePrefix);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->objects.empty());
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"\xC3\xBC/"});
}

TEST(ListObjectsV2, AwsDocumentationSample) {
  auto page = parse_list_objects_v2(kAwsV2);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "my-image.jpg");
  EXPECT_EQ(page->objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page->objects[0].size, 434234u);
  EXPECT_EQ(page->objects[0].last_modified, at("2009-10-12T17:50:30.000Z"));
  EXPECT_FALSE(page->is_truncated);
}

TEST(ListObjectsV2, AwsEncodedTruncatedPageUsesFormDecoding) {
  auto page = parse_list_objects_v2(kAwsV2Truncated);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->url_encoded);
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "happy face\xE2\x98\xBA.jpg");  // '+' is a space
  EXPECT_EQ(page->objects[0].etag, "70ee1738b6b21e2c8a43f3a5ab0eee71");
  EXPECT_EQ(page->objects[1].key, "percent%20literal+plus");      // decoded once only
  EXPECT_EQ(page->objects[1].etag, "e4c7a7dd5cfd1f2a4d9a4bb8e2f3a1d5-3");
  EXPECT_EQ(page->objects[1].size, 5368709120u);                  // > 4 GiB
  EXPECT_EQ(page->objects[1].storage_class, "GLACIER");
  EXPECT_EQ(page->objects[1].last_modified, at("2014-11-21T19:40:05.123Z"));
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"photos/2006/"});
}

TEST(ListObjectsV2, NoDecodingWhenTheServerDidNotEchoEncodingType) {
  // s3rver ignores encoding-type=url: keys come raw and must stay as they are.
  constexpr std::string_view xml =
      R"(<ListBucketResult><IsTruncated>false</IsTruncated>)"
      R"(<Contents><Key>a+b%20c%2F</Key><Size>1</Size></Contents>)"
      R"(<CommonPrefixes><Prefix>x+y%2F/</Prefix></CommonPrefixes></ListBucketResult>)";
  auto page = parse_list_objects_v2(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_FALSE(page->url_encoded);
  EXPECT_EQ(page->objects.at(0).key, "a+b%20c%2F");
  EXPECT_EQ(page->common_prefixes.at(0), "x+y%2F/");
}

TEST(ListObjectsV2, WhitespaceAndLineBreakKeysSurvive) {
  // Ceph writes TAB and LF raw and CR as &#x0d; (captured: key "cr\rkey\ttab\nlf").
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><Prefix>cr</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
      "<Contents><Key>cr&#x0d;key\ttab\nlf</Key><LastModified>2026-11-21T08:31:07.373Z</LastModified>"
      "<ETag>&quot;401b30e3b8b5d629635a5c613cdb7919&quot;</ETag><Size>2</Size><StorageClass>STANDARD</StorageClass>"
      "<Type>Normal</Type></Contents>"
      "<Contents><Key> </Key><Size>0</Size></Contents>"
      "<Contents><Key>  lead and trail  </Key><Size>0</Size></Contents>"
      "<Contents><Key>raw\rcr\r\n</Key><Size>0</Size></Contents>"
      "<KeyCount>4</KeyCount></ListBucketResult>";
  auto page = parse_list_objects_v2(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(keys_of(*page),
            (std::vector<std::string>{"cr\rkey\ttab\nlf", " ", "  lead and trail  ", "raw\rcr\r\n"}));
}

TEST(ListObjectsV2, EtagForms) {
  constexpr std::string_view xml =
      R"(<ListBucketResult><IsTruncated>false</IsTruncated>)"
      R"(<Contents><Key>q</Key><Size>1</Size><ETag>"abc"</ETag></Contents>)"
      R"(<Contents><Key>e</Key><Size>1</Size><ETag>&quot;abc&quot;</ETag></Contents>)"
      R"(<Contents><Key>n</Key><Size>1</Size><ETag>&#34;abc&#34;</ETag></Contents>)"
      R"(<Contents><Key>d</Key><Size>1</Size><ETag>&amp;quot;abc&amp;quot;</ETag></Contents>)"
      R"(<Contents><Key>b</Key><Size>1</Size><ETag>abc</ETag></Contents>)"
      R"(<Contents><Key>m</Key><Size>1</Size><ETag>"abc-12"</ETag></Contents>)"
      R"(<Contents><Key>x</Key><Size>1</Size></Contents></ListBucketResult>)";
  auto page = parse_list_objects_v2(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  ASSERT_EQ(page->objects.size(), 7u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(page->objects[i].etag, "abc") << page->objects[i].key;
  EXPECT_EQ(page->objects[5].etag, "abc-12");
  EXPECT_EQ(page->objects[6].etag, "");
}

TEST(ListObjectsV2, ToleratesBomAndLeadingWhitespace) {
  std::string xml = "\xEF\xBB\xBF  \r\n" + std::string(kAwsV2);
  auto page = parse_list_objects_v2(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->objects.at(0).key, "my-image.jpg");
}

TEST(ListObjectsV2, LargeGeneratedPageRoundTripsEncodedKeys) {
  // 1,000 keys using every byte 0x01-0x7F plus multi-byte UTF-8, encoded the
  // way AWS does (form encoding: space as '+', the rest %XX).
  auto encode = [](std::string_view k) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : k) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
        out += static_cast<char>(c);
      else if (c == ' ')
        out += '+';
      else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  };
  std::vector<std::string> keys;
  std::string xml = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>";
  for (int i = 0; i < 1000; ++i) {
    std::string k = "k" + std::to_string(i) + "/";
    k += static_cast<char>(1 + i % 127);
    k += "\xE2\x82\xAC \xF0\x9F\x98\x80+%";  // "€ 😀+%"
    keys.push_back(k);
    xml += "<Contents><Key>" + encode(k) + "</Key><Size>" + std::to_string(i) + "</Size></Contents>";
  }
  xml += "</ListBucketResult>";
  auto page = parse_list_objects_v2(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(keys_of(*page), keys);
  EXPECT_EQ(page->objects[999].size, 999u);
}

// ---- ListObjects v1 ------------------------------------------------------

TEST(ListObjectsV1, CephNextMarker) {
  auto page = parse_list_objects_v1(kCephV1Trunc);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_marker, "a.txt");
  EXPECT_EQ(keys_of(*page), (std::vector<std::string>{"\x01" "ctl\x7f", "a.txt"}));

  auto delim = parse_list_objects_v1(kCephV1DelimTrunc);
  ASSERT_TRUE(delim.has_value()) << delim.error().describe();
  EXPECT_EQ(delim->next_marker, "amp&lt<gt>\"q'");
}

TEST(ListObjectsV1, CephWritesNextMarkerRawEvenWhenKeysAreEncoded) {
  // Decoding "space key+plus" as form encoding would give "space key plus".
  auto page = parse_list_objects_v1(kCephV1UrlTruncPlus);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->url_encoded);
  EXPECT_EQ(page->objects.at(0).key, "space key+plus");
  EXPECT_EQ(page->next_marker, "space key+plus");

  auto ctl = parse_list_objects_v1(kCephV1UrlTruncCtl);
  ASSERT_TRUE(ctl.has_value()) << ctl.error().describe();
  EXPECT_EQ(ctl->objects.at(0).key, "\x01" "ctl\x7f");
  EXPECT_EQ(ctl->next_marker, "\x01" "ctl\x7f");
}

TEST(ListObjectsV1, AwsEncodedNextMarkerIsDecoded) {
  constexpr std::string_view xml =
      R"(<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>)"
      R"(<NextMarker>space%20key%2Bplus</NextMarker>)"
      R"(<Contents><Key>a</Key><Size>1</Size></Contents>)"
      R"(<Contents><Key>space%20key%2Bplus</Key><Size>1</Size></Contents></ListBucketResult>)";
  auto page = parse_list_objects_v1(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->next_marker, "space key+plus");

  // A marker naming neither the last key nor the last prefix: decoded as documented.
  constexpr std::string_view other =
      R"(<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>)"
      R"(<NextMarker>z%2Bz+z</NextMarker><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>)";
  auto page2 = parse_list_objects_v1(other);
  ASSERT_TRUE(page2.has_value()) << page2.error().describe();
  EXPECT_EQ(page2->next_marker, "z+z z");
}

TEST(ListObjectsV1, NextMarkerNamingACommonPrefix) {
  // Ceph lists CommonPrefixes before Contents; the marker is the prefix "dir/".
  auto page = parse_list_objects_v1(kCephV1UrlDelimTruncPrefix);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"dir/"});
  EXPECT_EQ(page->objects.size(), 3u);
  EXPECT_EQ(page->next_marker, "dir/");

  auto aws = parse_list_objects_v1(kAwsV1Delimited);
  ASSERT_TRUE(aws.has_value()) << aws.error().describe();
  EXPECT_EQ(aws->next_marker, "photos/2006/February/");
  EXPECT_EQ(aws->objects.at(0).size, 0u);
  EXPECT_EQ(aws->objects.at(0).etag, "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ListObjectsV1, CephDelimitedPageWithDecodedPrefixes) {
  auto page = parse_list_objects_v1(kCephV1UrlDelim);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_FALSE(page->is_truncated);
  EXPECT_TRUE(page->next_marker.empty());
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"dir/", "\xC3\xBC/"}));
  EXPECT_EQ(keys_of(*page),
            (std::vector<std::string>{"\x01" "ctl\x7f", "a.txt", "amp&lt<gt>\"q'", "space key+plus"}));
}

TEST(ListObjectsV1, MissingNextMarkerUsesTheGreaterOfLastKeyAndLastPrefix) {
  constexpr std::string_view key_last =
      R"(<ListBucketResult><IsTruncated>true</IsTruncated>)"
      R"(<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>)"
      R"(<Contents><Key>b</Key><Size>1</Size></Contents></ListBucketResult>)";
  auto p1 = parse_list_objects_v1(key_last);
  ASSERT_TRUE(p1.has_value()) << p1.error().describe();
  EXPECT_EQ(p1->next_marker, "b");

  constexpr std::string_view prefix_last =
      R"(<ListBucketResult><IsTruncated>true</IsTruncated>)"
      R"(<CommonPrefixes><Prefix>%C3%BC/</Prefix></CommonPrefixes>)"
      R"(<Contents><Key>z+z</Key><Size>1</Size></Contents><EncodingType>url</EncodingType></ListBucketResult>)";
  auto p2 = parse_list_objects_v1(prefix_last);
  ASSERT_TRUE(p2.has_value()) << p2.error().describe();
  EXPECT_EQ(p2->objects.at(0).key, "z z");
  EXPECT_EQ(p2->next_marker, "\xC3\xBC/");  // 0xC3 > 'z': UTF-8 byte order

  constexpr std::string_view decoded_key =
      R"(<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>)"
      R"(<Contents><Key>%01a+b%2B</Key><Size>1</Size></Contents></ListBucketResult>)";
  auto p3 = parse_list_objects_v1(decoded_key);
  ASSERT_TRUE(p3.has_value()) << p3.error().describe();
  EXPECT_EQ(p3->next_marker, "\x01" "a b+");

  // Not truncated: no marker invented.
  auto p4 = parse_list_objects_v1(kCephV1UrlDelim);
  ASSERT_TRUE(p4.has_value());
  EXPECT_TRUE(p4->next_marker.empty());
}

TEST(ListObjectsV1, NoDecodingWithoutEcho) {
  constexpr std::string_view xml =
      R"(<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>a+b%41</NextMarker>)"
      R"(<Contents><Key>a+b%41</Key><Size>1</Size></Contents></ListBucketResult>)";
  auto page = parse_list_objects_v1(xml);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->objects.at(0).key, "a+b%41");
  EXPECT_EQ(page->next_marker, "a+b%41");
}

// ---- Malformed listings -------------------------------------------------

TEST(ListObjectsMalformed, RejectedWithTheOperationNamed) {
  const std::vector<std::string_view> bad = {
      "",
      "not xml at all",
      "<ListBucketResult><Contents><Key>a</Key>",  // truncated
      "<ListAllMyBucketsResult/>",                // wrong document
      "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key></Key><Size>1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key><Size>12x</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key><Size>99999999999999999999</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key><Size>1</Size><LastModified>yesterday</LastModified></Contents>"
      "</ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key><Size>1</Size><LastModified>2024-02-30T00:00:00Z</LastModified>"
      "</Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>a</Key><Size>1</Size><LastModified>9026-01-01T00:00:00Z</LastModified>"
      "</Contents></ListBucketResult>",  // beyond system_clock's range
      "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
  };
  for (auto xml : bad) {
    auto v2 = parse_list_objects_v2(xml);
    ASSERT_FALSE(v2.has_value()) << xml;
    expect_malformed(v2.error(), "ListObjectsV2");
    auto v1 = parse_list_objects_v1(xml);
    ASSERT_FALSE(v1.has_value()) << xml;
    expect_malformed(v1.error(), "ListObjects");
  }
}

TEST(ListObjectsMalformed, TruncatedWithoutAWayToContinue) {
  auto v2 = parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                  "<Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>");
  ASSERT_FALSE(v2.has_value());
  expect_malformed(v2.error(), "ListObjectsV2");
  auto v1 = parse_list_objects_v1("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  ASSERT_FALSE(v1.has_value());
  expect_malformed(v1.error(), "ListObjects");
}

TEST(ListObjectsMalformed, ErrorDocumentBecomesTheS3Error) {
  auto page = parse_list_objects_v2(kCephNoSuchKey);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, "NoSuchKey");
  EXPECT_EQ(page.error().request_id, "tx00000a7ec22115fb34558-006b0156ae-100a-default");
}

TEST(Timestamps, AcceptedForms) {
  auto with = [](std::string_view ts) {
    std::string xml = "<ListBucketResult><Contents><Key>k</Key><Size>1</Size><LastModified>" + std::string(ts) +
                      "</LastModified></Contents></ListBucketResult>";
    auto page = parse_list_objects_v2(xml);
    EXPECT_TRUE(page.has_value()) << ts;
    return page ? page->objects.at(0).last_modified : system_clock::time_point{};
  };
  EXPECT_EQ(with("2009-10-12T17:50:30.000Z"), at("2009-10-12T17:50:30.000Z"));
  EXPECT_EQ(with("2009-10-12T17:50:30Z"), at("2009-10-12T17:50:30Z"));
  EXPECT_EQ(with("2009-10-12T17:50:30.5Z"), at("2009-10-12T17:50:30.500Z"));
  EXPECT_EQ(with("2009-10-12T17:50:30.123999Z"), at("2009-10-12T17:50:30.123Z"));
  EXPECT_EQ(with("2009-10-12T17:50:30+00:00"), at("2009-10-12T17:50:30Z"));
  EXPECT_EQ(with("2009-10-12T19:50:30+02:00"), at("2009-10-12T17:50:30Z"));
  EXPECT_EQ(with("2009-10-12T12:20:30-0530"), at("2009-10-12T17:50:30Z"));
  EXPECT_EQ(with(" 2000-02-29T00:00:00.000Z\n"), at("2000-02-29T00:00:00Z"));
  EXPECT_EQ(with("1970-01-01T00:00:00Z"), system_clock::time_point{});
}

// ---- ListMultipartUploads ---------------------------------------------

TEST(ListMultipartUploads, CephPage) {
  auto page = parse_list_multipart_uploads(kCephUploads);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_FALSE(page->is_truncated);
  ASSERT_EQ(page->uploads.size(), 2u);
  EXPECT_EQ(page->uploads[0].key, "\x01" "ctl&mp");
  EXPECT_EQ(page->uploads[0].upload_id, "2~WVCIuz3FjoiDtBjot1yW2SvzjLnu9ny");
  EXPECT_EQ(page->uploads[0].initiated, at("2026-11-21T08:30:50.989Z"));
  EXPECT_EQ(page->uploads[1].key, "mp \xC3\xBC+key");
  EXPECT_EQ(page->next_key_marker, "mp \xC3\xBC+key");  // Ceph sends markers even when complete
  EXPECT_EQ(page->next_upload_id_marker, "2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN");

  auto trunc = parse_list_multipart_uploads(kCephUploadsTrunc);
  ASSERT_TRUE(trunc.has_value()) << trunc.error().describe();
  EXPECT_TRUE(trunc->is_truncated);
  EXPECT_EQ(trunc->next_key_marker, "\x01" "ctl&mp");
  EXPECT_EQ(trunc->next_upload_id_marker, "2~WVCIuz3FjoiDtBjot1yW2SvzjLnu9ny");
}

TEST(ListMultipartUploads, CephEncodesWithoutEchoSoKeysStayEncoded) {
  // Documented hazard: the client must not send encoding-type=url here.
  auto page = parse_list_multipart_uploads(kCephUploadsUrlNoEcho);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->uploads.at(0).key, "%01ctl%26mp");
}

TEST(ListMultipartUploads, AwsEncodedPage) {
  auto page = parse_list_multipart_uploads(kAwsUploads);
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_TRUE(page->is_truncated);
  ASSERT_EQ(page->uploads.size(), 2u);
  EXPECT_EQ(page->uploads[0].key, "my-divisor");
  EXPECT_EQ(page->uploads[0].initiated, at("2010-11-10T20:48:33.000Z"));
  EXPECT_EQ(page->uploads[1].key, "my+movie.m2ts");
  EXPECT_EQ(page->next_key_marker, "my+movie.m2ts");
  EXPECT_EQ(page->next_upload_id_marker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
}

TEST(ListMultipartUploads, Malformed) {
  auto no_id = parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>");
  ASSERT_FALSE(no_id.has_value());
  expect_malformed(no_id.error(), "ListMultipartUploads");
  auto no_marker = parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>");
  ASSERT_FALSE(no_marker.has_value());
  expect_malformed(no_marker.error(), "ListMultipartUploads");
}

// ---- Buckets -------------------------------------------------------------

TEST(ListBuckets, CephAndAws) {
  auto ceph = parse_list_buckets(kCephListBuckets);
  ASSERT_TRUE(ceph.has_value()) << ceph.error().describe();
  ASSERT_EQ(ceph->size(), 1u);
  EXPECT_EQ((*ceph)[0].name, "xml-fixtures-205825052");
  EXPECT_EQ((*ceph)[0].created, at("2026-11-21T08:30:36.125Z"));

  auto aws = parse_list_buckets(kAwsListBuckets);
  ASSERT_TRUE(aws.has_value()) << aws.error().describe();
  ASSERT_EQ(aws->size(), 2u);
  EXPECT_EQ((*aws)[0].name, "DOC-EXAMPLE-BUCKET");
  EXPECT_EQ((*aws)[0].created, at("2019-12-11T23:32:47Z"));
  EXPECT_EQ((*aws)[1].created, at("2019-11-10T21:32:13Z"));  // +02:00

  auto empty = parse_list_buckets(
      R"(<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>)");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());

  auto bad = parse_list_buckets(kCephV2Plain);
  ASSERT_FALSE(bad.has_value());
  expect_malformed(bad.error(), "ListBuckets");
}

}  // namespace
}  // namespace s5j::s3
