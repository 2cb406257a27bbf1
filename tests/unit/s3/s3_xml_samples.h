// S3 XML documents for the parser tests (tests/unit/s3/s3_xml_*_test.cpp).
//
// Fixtures named kCeph* were captured verbatim from Ceph RGW (the test
// gateway, via curl --aws-sigv4) against a bucket holding keys with control
// characters, XML metacharacters, spaces, '+', and multi-byte UTF-8. Fixtures
// named kAws* follow the sample responses of the Amazon S3 API reference.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/strings.h"
#include "s3/s3_xml.h"

namespace s5j::s3::xml_samples {

using std::chrono::system_clock;

inline system_clock::time_point at(std::string_view iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(system_clock::time_point{});
}

// The keys stored in the Ceph fixture bucket, in listing (UTF-8 byte) order.
const std::vector<std::string> kCephKeys = {
    "\x01" "ctl\x7f", "a.txt", "amp&lt<gt>\"q'", "dir/b.txt", "dir/sub/c.bin", "space key+plus",
    "\xC3\xBC/\xE6\x97\xA5\xE6\x9C\xAC.txt",  // "ü/日本.txt"
};

inline std::vector<std::string> keys_of(const ListPage& p) {
  std::vector<std::string> out;
  for (const auto& o : p.objects) out.push_back(o.key);
  return out;
}

// A MalformedXML error (permanent) whose message names `op`.
inline void expect_malformed(const Error& e, std::string_view op) {
  EXPECT_EQ(e.code, "MalformedXML");
  EXPECT_EQ(e.kind, ErrorKind::permanent);
  EXPECT_NE(e.message.find(op), std::string::npos) << e.message;
}

// ---- Ceph RGW captures -------------------------------------------------

constexpr std::string_view kCephV2Plain =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>)x"
    R"x(<Contents><Key>&#x01;ctl&#x7f;</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>amp&amp;lt&lt;gt&gt;&quot;q&apos;</Key><LastModified>2026-11-21T08:30:36.493Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>dir/b.txt</Key><LastModified>2026-11-21T08:30:36.396Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>dir/sub/c.bin</Key><LastModified>2026-11-21T08:30:36.415Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>space key+plus</Key><LastModified>2026-11-21T08:30:36.434Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>ü/日本.txt</Key><LastModified>2026-11-21T08:30:36.451Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><KeyCount>7</KeyCount></ListBucketResult>)x";
constexpr std::string_view kCephV2Url =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>)x"
    R"x(<Contents><Key>%01ctl%7F</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>amp%26lt%3Cgt%3E%22q&apos;</Key><LastModified>2026-11-21T08:30:36.493Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>dir%2Fb.txt</Key><LastModified>2026-11-21T08:30:36.396Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>dir%2Fsub%2Fc.bin</Key><LastModified>2026-11-21T08:30:36.415Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>space%20key%2Bplus</Key><LastModified>2026-11-21T08:30:36.434Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>%C3%BC%2F%E6%97%A5%E6%9C%AC.txt</Key><LastModified>2026-11-21T08:30:36.451Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><KeyCount>7</KeyCount></ListBucketResult>)x";
constexpr std::string_view kCephV2UrlDelimTrunc =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>)x"
    R"x(<Contents><Key>%01ctl%7F</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>amp%26lt%3Cgt%3E%22q&apos;</Key><LastModified>2026-11-21T08:30:36.493Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><NextContinuationToken>amp&amp;lt&lt;gt&gt;&quot;q&apos;</NextContinuationToken><KeyCount>3</KeyCount></ListBucketResult>)x";
constexpr std::string_view kCephV2UrlUnicodePrefix =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>)x"
    R"x(<CommonPrefixes><Prefix>%C3%BC/</Prefix></CommonPrefixes><KeyCount>1</KeyCount><StartAfter>space key+plus</StartAfter></ListBucketResult>)x";
constexpr std::string_view kCephV1Trunc =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>)x"
    R"x(<Contents><Key>&#x01;ctl&#x7f;</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents><Marker></Marker><NextMarker>a.txt</NextMarker></ListBucketResult>)x";
constexpr std::string_view kCephV1UrlTruncCtl =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>)x"
    R"x(<Contents><Key>%01ctl%7F</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents><Marker></Marker><NextMarker>&#x01;ctl&#x7f;</NextMarker></ListBucketResult>)x";
constexpr std::string_view kCephV1UrlTruncPlus =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>)x"
    R"x(<Contents><Key>space%20key%2Bplus</Key><LastModified>2026-11-21T08:30:36.434Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents><Marker>dir/sub/c.bin</Marker><NextMarker>space key+plus</NextMarker></ListBucketResult>)x";
constexpr std::string_view kCephV1UrlDelimTruncPrefix =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>4</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>)x"
    R"x(<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>)x"
    R"x(<Contents><Key>%01ctl%7F</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>amp%26lt%3Cgt%3E%22q&apos;</Key><LastModified>2026-11-21T08:30:36.493Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents><Marker></Marker><NextMarker>dir/</NextMarker></ListBucketResult>)x";
constexpr std::string_view kCephV1UrlDelim =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>6</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>)x"
    R"x(<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>)x"
    R"x(<CommonPrefixes><Prefix>%C3%BC/</Prefix></CommonPrefixes>)x"
    R"x(<Contents><Key>%01ctl%7F</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>amp%26lt%3Cgt%3E%22q&apos;</Key><LastModified>2026-11-21T08:30:36.493Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>space%20key%2Bplus</Key><LastModified>2026-11-21T08:30:36.434Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents><Marker></Marker></ListBucketResult>)x";
constexpr std::string_view kCephV1DelimTrunc =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>xml-fixtures-205825052</Name><Prefix></Prefix><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>)x"
    R"x(<Contents><Key>&#x01;ctl&#x7f;</Key><LastModified>2026-11-21T08:30:36.470Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>a.txt</Key><LastModified>2026-11-21T08:30:36.377Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents>)x"
    R"x(<Contents><Key>amp&amp;lt&lt;gt&gt;&quot;q&apos;</Key><LastModified>2026-11-21T08:30:36.493Z</LastModified><ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Type>Normal</Type></Contents><Marker></Marker><NextMarker>amp&amp;lt&lt;gt&gt;&quot;q&apos;</NextMarker></ListBucketResult>)x";
constexpr std::string_view kCephNoSuchKey =
    R"x(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message></Message><BucketName>xml-fixtures-205825052</BucketName><RequestId>tx00000a7ec22115fb34558-006b0156ae-100a-default</RequestId><HostId>100a-default-default</HostId></Error>)x";
constexpr std::string_view kCephInitiate =
    R"x(<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>xml-fixtures-205825052</Bucket><Key>mp ü+key</Key><UploadId>2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN</UploadId></InitiateMultipartUploadResult>)x";
constexpr std::string_view kCephUploads =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>xml-fixtures-205825052</Bucket><NextKeyMarker>mp ü+key</NextKeyMarker><NextUploadIdMarker>2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN</NextUploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>)x"
    R"x(<Upload><Key>&#x01;ctl&amp;mp</Key><UploadId>2~WVCIuz3FjoiDtBjot1yW2SvzjLnu9ny</UploadId><Initiator><ID>test</ID><DisplayName>test user</DisplayName></Initiator><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-11-21T08:30:50.989Z</Initiated></Upload>)x"
    R"x(<Upload><Key>mp ü+key</Key><UploadId>2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN</UploadId><Initiator><ID>test</ID><DisplayName>test user</DisplayName></Initiator><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-11-21T08:30:50.969Z</Initiated></Upload></ListMultipartUploadsResult>)x";
constexpr std::string_view kCephUploadsTrunc =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>xml-fixtures-205825052</Bucket><NextKeyMarker>&#x01;ctl&amp;mp</NextKeyMarker><NextUploadIdMarker>2~WVCIuz3FjoiDtBjot1yW2SvzjLnu9ny</NextUploadIdMarker><MaxUploads>1</MaxUploads><IsTruncated>true</IsTruncated>)x"
    R"x(<Upload><Key>&#x01;ctl&amp;mp</Key><UploadId>2~WVCIuz3FjoiDtBjot1yW2SvzjLnu9ny</UploadId><Initiator><ID>test</ID><DisplayName>test user</DisplayName></Initiator><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-11-21T08:30:50.989Z</Initiated></Upload></ListMultipartUploadsResult>)x";
constexpr std::string_view kCephUploadsUrlNoEcho =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>xml-fixtures-205825052</Bucket><NextKeyMarker>mp ü+key</NextKeyMarker><NextUploadIdMarker>2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN</NextUploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>)x"
    R"x(<Upload><Key>%01ctl%26mp</Key><UploadId>2~WVCIuz3FjoiDtBjot1yW2SvzjLnu9ny</UploadId><Initiator><ID>test</ID><DisplayName>test user</DisplayName></Initiator><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-11-21T08:30:50.989Z</Initiated></Upload>)x"
    R"x(<Upload><Key>mp%20%C3%BC%2Bkey</Key><UploadId>2~tlcQzvsPbjH4rPWd6FcogsotXUhvvxN</UploadId><Initiator><ID>test</ID><DisplayName>test user</DisplayName></Initiator><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-11-21T08:30:50.969Z</Initiated></Upload></ListMultipartUploadsResult>)x";
constexpr std::string_view kCephCopyObject =
    R"x(<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>2026-11-21T08:30:54.575Z</LastModified><ETag>b1946ac92492d2347c6235b4d2611184</ETag></CopyObjectResult>)x";
constexpr std::string_view kCephCopyPart =
    R"x(<?xml version="1.0" encoding="UTF-8"?><CopyPartResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>2026-11-21T08:30:56.000Z</LastModified><ETag>b2cbbc7e411e38efbc3dd992d4054682</ETag></CopyPartResult>)x";
constexpr std::string_view kCephCompleteEmptyEtag =
    R"x(<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>http://127.0.0.1:17480/xml-fixtures-205825052/mp ü+key</Location><Bucket>xml-fixtures-205825052</Bucket><Key>mp ü+key</Key><ETag></ETag></CompleteMultipartUploadResult>)x";
constexpr std::string_view kCephCompleteRetried =
    R"x(<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>http://127.0.0.1:17480/xml-fixtures-205825052/mp ü+key</Location><Bucket>xml-fixtures-205825052</Bucket><Key>mp ü+key</Key><ETag>fc54d49da384046fb91f10c44f86a11e-2</ETag></CompleteMultipartUploadResult>)x";
constexpr std::string_view kCephListBuckets =
    R"x(<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>test</ID><DisplayName>test user</DisplayName></Owner><Buckets>)x"
    R"x(<Bucket><Name>xml-fixtures-205825052</Name><CreationDate>2026-11-21T08:30:36.125Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>)x";
constexpr std::string_view kCephDeleteResult =
    R"x(<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)x"
    R"x(<Deleted><Key>does-not-exist</Key></Deleted>)x"
    R"x(<Deleted><Key>a.txt</Key></Deleted>)x"
    R"x(<Deleted><Key>amp&amp;lt&lt;gt&gt;&quot;q&apos;</Key></Deleted>)x"
    R"x(<Deleted><Key>ü/日本.txt</Key></Deleted></DeleteResult>)x";
constexpr std::string_view kCephDeleteQuiet =
    R"x(<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>)x";

// ---- AWS API reference shapes (pretty-printed, as in the documentation) --

constexpr std::string_view kAwsV2 = R"x(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>205</KeyCount>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
</ListBucketResult>)x";

constexpr std::string_view kAwsV2Truncated = R"x(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix></Prefix>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <KeyCount>3</KeyCount>
  <MaxKeys>3</MaxKeys>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>happy+face%E2%98%BA.jpg</Key>
    <LastModified>2014-11-21T19:40:05.000Z</LastModified>
    <ETag>&quot;70ee1738b6b21e2c8a43f3a5ab0eee71&quot;</ETag>
    <Size>11</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>percent%2520literal%2Bplus</Key>
    <LastModified>2014-11-21T19:40:05.123456Z</LastModified>
    <ETag>"e4c7a7dd5cfd1f2a4d9a4bb8e2f3a1d5-3"</ETag>
    <Size>5368709120</Size>
    <StorageClass>GLACIER</StorageClass>
  </Contents>
  <CommonPrefixes>
    <Prefix>photos%2F2006%2F</Prefix>
  </CommonPrefixes>
</ListBucketResult>)x";

constexpr std::string_view kAwsV1Delimited = R"x(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>example-bucket</Name>
  <Prefix>photos/2006/</Prefix>
  <Marker></Marker>
  <NextMarker>photos/2006/February/</NextMarker>
  <MaxKeys>2</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>photos/2006/</Key>
    <LastModified>2016-04-30T23:51:29.000Z</LastModified>
    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
    <Size>0</Size>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>mtd@amazon.com</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <CommonPrefixes>
    <Prefix>photos/2006/February/</Prefix>
  </CommonPrefixes>
</ListBucketResult>)x";

constexpr std::string_view kAwsNoSuchKey = R"x(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)x";

constexpr std::string_view kAwsAuthHeaderMalformed = R"x(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region><RequestId>4YAKSBJ8Q9SJW2S1</RequestId><HostId>hnLx1tXm8oEjxbzuFcLCq2cXZzHUdF0Kpx8D3c0DmpKNXs7AtRiG9b5zORlf/7Y0eAcQEuWrMQM=</HostId></Error>)x";

// CompleteMultipartUpload: 200 OK, keep-alive spaces, then an error.
constexpr std::string_view kAwsComplete200Error = "    \n  \n"
    R"x(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>InternalError</Code>
  <Message>We encountered an internal error. Please try again.</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>)x";

constexpr std::string_view kAwsComplete = R"x(<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://Example-Bucket.s3.Region.amazonaws.com/Example-Object</Location>
  <Bucket>Example-Bucket</Bucket>
  <Key>Example-Object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>)x";

constexpr std::string_view kAwsInitiate = R"x(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)x";

constexpr std::string_view kAwsCopyObject = R"x(<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult>
   <LastModified>2009-10-28T22:32:00.000Z</LastModified>
   <ETag>"9b2cf535f27731c974343645a3985328"</ETag>
</CopyObjectResult>)x";

constexpr std::string_view kAwsCopyPart = R"x(<CopyPartResult>
   <LastModified>2011-04-11T20:34:56.000Z</LastModified>
   <ETag>"9b2cf535f27731c974343645a3985328"</ETag>
</CopyPartResult>)x";

constexpr std::string_view kAwsUploads = R"x(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my%2Bmovie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <EncodingType>url</EncodingType>
  <MaxUploads>3</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator>
      <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
      <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my%2Bmovie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:49:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>)x";

constexpr std::string_view kAwsListBuckets = R"x(<ListAllMyBucketsResult>
   <Buckets>
      <Bucket>
         <CreationDate>2019-12-11T23:32:47+00:00</CreationDate>
         <Name>DOC-EXAMPLE-BUCKET</Name>
      </Bucket>
      <Bucket>
         <CreationDate>2019-11-10T23:32:13+02:00</CreationDate>
         <Name>DOC-EXAMPLE-BUCKET2</Name>
      </Bucket>
   </Buckets>
   <Owner>
      <DisplayName>Account+Name</DisplayName>
      <ID>AIDACKCEVSQ6C2EXAMPLE</ID>
   </Owner>
</ListAllMyBucketsResult>)x";

constexpr std::string_view kAwsDeleteResult = R"x(<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted>
    <Key>sample1.txt</Key>
  </Deleted>
  <Deleted>
    <Key>sample3.txt</Key>
    <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>
    <DeleteMarker>true</DeleteMarker>
  </Deleted>
  <Error>
    <Key>sample2.txt</Key>
    <Code>AccessDenied</Code>
    <Message>Access Denied</Message>
  </Error>
</DeleteResult>)x";

}  // namespace s5j::s3::xml_samples
