#include "s3/uri_encode.h"

#include <gtest/gtest.h>

#include <string>

namespace s5j::s3 {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

TEST(UriEncode, EveryByteOutsideTheUnreservedSetIsPercentEncodedUpperCase) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (int i = 0; i < 256; ++i) {
    const unsigned char c = static_cast<unsigned char>(i);
    const std::string in(1, static_cast<char>(c));
    const std::string escaped = std::string("%") + hex[c >> 4] + hex[c & 0xf];
    const std::string expected = unreserved(c) ? in : escaped;
    EXPECT_EQ(uri_encode(in, false), expected) << "byte " << i;
    EXPECT_EQ(uri_encode(in, true), c == '/' ? "/" : expected) << "byte " << i;
  }
}

TEST(UriEncode, ReservedCharactersThatClientsOftenGetWrong) {
  EXPECT_EQ(uri_encode(" ", false), "%20");  // never '+'
  EXPECT_EQ(uri_encode("+", false), "%2B");
  EXPECT_EQ(uri_encode("=", false), "%3D");
  EXPECT_EQ(uri_encode("%", false), "%25");  // an already-encoded key is encoded again
  EXPECT_EQ(uri_encode("%20", true), "%2520");
  EXPECT_EQ(uri_encode("~", false), "~");
  EXPECT_EQ(uri_encode("*", false), "%2A");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_encode("a/b", true), "a/b");
  EXPECT_EQ(uri_encode("test$file.text", true), "test%24file.text");
  EXPECT_EQ(uri_encode("", true), "");
}

TEST(UriEncode, MultiByteUtf8IsEncodedBytewise) {
  EXPECT_EQ(uri_encode("é", true), "%C3%A9");
  EXPECT_EQ(uri_encode("雪", true), "%E9%9B%AA");
  EXPECT_EQ(uri_encode("😀", true), "%F0%9F%98%80");
  EXPECT_EQ(uri_encode("dir/日本語 file.txt", true), "dir/%E6%97%A5%E6%9C%AC%E8%AA%9E%20file.txt");
  // Invalid UTF-8 is still just bytes.
  EXPECT_EQ(uri_encode(std::string("\xff\x00", 2), false), "%FF%00");
}

TEST(EncodePath, PathStyleKeepsEverySegmentUnnormalised) {
  EXPECT_EQ(encode_path_style("bucket", "a//b/./c/../d"), "/bucket/a//b/./c/../d");
  EXPECT_EQ(encode_path_style("bucket", "/leading"), "/bucket//leading");
  EXPECT_EQ(encode_path_style("bucket", "trailing/"), "/bucket/trailing/");
  EXPECT_EQ(encode_path_style("bucket", ".."), "/bucket/..");
  EXPECT_EQ(encode_path_style("bucket", "a b+c=d"), "/bucket/a%20b%2Bc%3Dd");
  EXPECT_EQ(encode_path_style("my.bucket", "k"), "/my.bucket/k");
}

TEST(EncodePath, BucketAndServiceLevelPaths) {
  EXPECT_EQ(encode_path_style("", ""), "/");
  EXPECT_EQ(encode_path_style("bucket", ""), "/bucket");
  // A '/' can never be part of a bucket segment.
  EXPECT_EQ(encode_path_style("a/b", "k"), "/a%2Fb/k");
}

TEST(EncodePath, VirtualHosted) {
  EXPECT_EQ(encode_virtual_hosted(""), "/");
  EXPECT_EQ(encode_virtual_hosted("test.txt"), "/test.txt");
  EXPECT_EQ(encode_virtual_hosted("/x//./y"), "//x//./y");
  EXPECT_EQ(encode_virtual_hosted("a?b#c"), "/a%3Fb%23c");
}

TEST(EncodePath, LongKeyMatchesPerByteEncoding) {
  std::string key;
  for (int i = 0; i < 200; ++i) key += "ab/ é+%"[i % 8];
  std::string expected = "/";
  for (unsigned char c : key) expected += c == '/' ? std::string("/") : uri_encode(std::string(1, c), false);
  EXPECT_EQ(encode_virtual_hosted(key), expected);
}

TEST(CanonicalQuery, EmptyAndValuelessParameters) {
  EXPECT_EQ(canonical_query_string({}), "");
  EXPECT_EQ(canonical_query_string({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(canonical_query_string({{"lifecycle", ""}}), "lifecycle=");
}

TEST(CanonicalQuery, NamesAndValuesAreEncodedStrictly) {
  EXPECT_EQ(canonical_query_string({{"prefix", "a b/c+d=e&f~"}}), "prefix=a%20b%2Fc%2Bd%3De%26f~");
  EXPECT_EQ(canonical_query_string({{"na me", "雪"}}), "na%20me=%E9%9B%AA");
  EXPECT_EQ(canonical_query_string({{"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="}}),
            "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D");
}

TEST(CanonicalQuery, SortedByEncodedNameThenValue) {
  EXPECT_EQ(canonical_query_string({{"prefix", "J"}, {"max-keys", "2"}}), "max-keys=2&prefix=J");
  EXPECT_EQ(canonical_query_string({{"uploadId", "abc"}, {"partNumber", "7"}}), "partNumber=7&uploadId=abc");
  // Duplicate names: ordered by value; upper-case sorts before lower-case.
  EXPECT_EQ(canonical_query_string({{"a", "2"}, {"a", "1"}, {"a", ""}, {"A", "0"}}), "A=0&a=&a=1&a=2");
  // Raw order would put "aZ" first ('Z' < 0xC3); encoded order puts
  // "a%C3%A9" first ('%' < 'Z'). SigV4 sorts the encoded form.
  EXPECT_EQ(canonical_query_string({{"aZ", "1"}, {"aé", "2"}}), "a%C3%A9=2&aZ=1");
  // Values compare encoded too: " " -> "%20" sorts before "+" -> "%2B" and "!" -> "%21".
  EXPECT_EQ(canonical_query_string({{"k", "+"}, {"k", "!"}, {"k", " "}}), "k=%20&k=%21&k=%2B");
}

TEST(UriDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(uri_decode("a%20b%2Bc", false), "a b+c");
  EXPECT_EQ(uri_decode("a+b", false), "a+b");
  EXPECT_EQ(uri_decode("a+b", true), "a b");
  EXPECT_EQ(uri_decode("%e9%9b%aa", false), "雪");  // lower-case hex accepted
  EXPECT_EQ(uri_decode("%2b", true), "+");           // an escaped '+' stays '+'
}

TEST(UriDecode, InvalidEscapesAreKept) {
  EXPECT_EQ(uri_decode("%", false), "%");
  EXPECT_EQ(uri_decode("%4", false), "%4");
  EXPECT_EQ(uri_decode("a%zzb", false), "a%zzb");
  EXPECT_EQ(uri_decode("%%41", false), "%A");
  EXPECT_EQ(uri_decode("100%", true), "100%");
}

TEST(UriDecode, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(uri_decode(uri_encode(all, false), false), all);
  EXPECT_EQ(uri_decode(uri_encode(all, true), true), all);
}

}  // namespace
}  // namespace s5j::s3
