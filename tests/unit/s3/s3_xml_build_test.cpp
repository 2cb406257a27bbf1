// Tests for the S3 XML request bodies and xml_can_carry
// (src/s3/s3_xml_build.cpp).
#include "s3/s3_xml.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/s3/s3_xml_samples.h"

namespace s5j::s3 {
namespace {

using namespace xml_samples;

TEST(BuildCompleteMultipartUpload, PartsInAscendingOrderWithQuotedEtags) {
  std::string body = build_complete_multipart_upload(
      {{2, "9d3678b8bfc55617777634c421bf4584"}, {1, "b2cbbc7e411e38efbc3dd992d4054682"}, {10, "e-3"}});
  EXPECT_EQ(body,
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
            R"(<Part><PartNumber>1</PartNumber><ETag>&quot;b2cbbc7e411e38efbc3dd992d4054682&quot;</ETag></Part>)"
            R"(<Part><PartNumber>2</PartNumber><ETag>&quot;9d3678b8bfc55617777634c421bf4584&quot;</ETag></Part>)"
            R"(<Part><PartNumber>10</PartNumber><ETag>&quot;e-3&quot;</ETag></Part>)"
            R"(</CompleteMultipartUpload>)");
  EXPECT_EQ(build_complete_multipart_upload({}),
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CompleteMultipartUpload>)");
}

TEST(BuildDeleteObjects, EscapesKeys) {
  std::string body = build_delete_objects(
      {"a&b", "<x>", "q\"'", "\xC3\xBC/\xE6\x97\xA5", "cr\rtab\tlf\n", "\x01" "ctl\x7f"}, true);
  EXPECT_EQ(body,
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>)"
            R"(<Object><Key>a&amp;b</Key></Object>)"
            R"(<Object><Key>&lt;x&gt;</Key></Object>)"
            R"(<Object><Key>q&quot;&apos;</Key></Object>)"
            "<Object><Key>\xC3\xBC/\xE6\x97\xA5</Key></Object>"
            R"(<Object><Key>cr&#xD;tab&#x9;lf&#xA;</Key></Object>)"
            "<Object><Key>&#x1;ctl\x7f</Key></Object>"
            R"(</Delete>)");
  EXPECT_NE(build_delete_objects({"k"}, false).find("<Quiet>false</Quiet>"), std::string::npos);
}

TEST(BuildDeleteObjects, BodyRoundTripsThroughTheParser) {
  // A DeleteResult echoing the body's keys parses back to the same strings.
  const std::vector<std::string> keys = {"a&b", "<x>", "q\"'", "\xC3\xBC/\xE6\x97\xA5", "cr\rtab\tlf\n", " "};
  std::string body = build_delete_objects(keys, false);
  std::string result = "<DeleteResult>";
  for (size_t pos = 0; (pos = body.find("<Object>", pos)) != std::string::npos; ++pos) {
    size_t end = body.find("</Object>", pos);
    result += "<Deleted>" + body.substr(pos + 8, end - pos - 8) + "</Deleted>";
  }
  result += "</DeleteResult>";
  auto parsed = parse_delete_objects(result);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().describe();
  EXPECT_EQ(parsed->deleted, keys);
}

TEST(XmlCanCarry, ControlCharactersAndInvalidUtf8) {
  EXPECT_TRUE(xml_can_carry("plain/key.txt"));
  EXPECT_TRUE(xml_can_carry("tab\tlf\ncr\r"));
  EXPECT_TRUE(xml_can_carry("del\x7f"));
  EXPECT_TRUE(xml_can_carry("\xC3\xBC\xE6\x97\xA5\xF0\x9F\x98\x80"));
  EXPECT_TRUE(xml_can_carry(""));
  EXPECT_FALSE(xml_can_carry("\x01" "ctl"));
  EXPECT_FALSE(xml_can_carry(std::string_view("nul\0", 4)));
  EXPECT_FALSE(xml_can_carry("\x1f"));
  EXPECT_FALSE(xml_can_carry("\xEF\xBF\xBE"));  // U+FFFE
  EXPECT_FALSE(xml_can_carry("\xEF\xBF\xBF"));  // U+FFFF
  EXPECT_FALSE(xml_can_carry("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(xml_can_carry("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(xml_can_carry("\xC3"));          // cut sequence
  EXPECT_FALSE(xml_can_carry("\xFF"));
}

}  // namespace
}  // namespace s5j::s3
