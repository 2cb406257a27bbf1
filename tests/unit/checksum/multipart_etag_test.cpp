#include "checksum/multipart_etag.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checksum/checksum_encoding.h"

namespace s5j::checksum {
namespace {

TEST(MultipartEtag, IsMd5OfConcatenatedBinaryPartMd5s) {
  const std::string p1(5 * 1024 * 1024, 'a'), p2 = "tail";
  const Md5Digest d1 = *md5_of(p1), d2 = *md5_of(p2);
  std::string concat(reinterpret_cast<const char*>(d1.data()), 16);
  concat.append(reinterpret_cast<const char*>(d2.data()), 16);
  const std::vector<Md5Digest> parts{d1, d2};
  EXPECT_EQ(*multipart_etag(parts), md5_hex(*md5_of(concat)) + "-2");
}

TEST(MultipartEtag, KnownValueAndSinglePart) {
  // One part of "abc": MD5 of the 16-byte MD5("abc"), then "-1".
  const std::vector<Md5Digest> one{*md5_of("abc")};
  const std::string raw(reinterpret_cast<const char*>(one[0].data()), 16);
  EXPECT_EQ(*multipart_etag(one), md5_hex(*md5_of(raw)) + "-1");
  EXPECT_NE(*multipart_etag(one), md5_hex(one[0]));  // never equals the plain MD5
}

TEST(MultipartEtag, NoPartsIsAnError) {
  auto e = multipart_etag({});
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, "InvalidArgument");
}

TEST(MultipartEtag, BuilderMatchesFunction) {
  MultipartEtagBuilder b;
  std::vector<Md5Digest> parts;
  for (int i = 0; i < 17; ++i) {
    parts.push_back(*md5_of(std::to_string(i)));
    b.add_part(parts.back());
  }
  EXPECT_EQ(b.part_count(), 17u);
  EXPECT_EQ(*b.etag(), *multipart_etag(parts));
}

TEST(EtagClassification, PlainMultipartOpaque) {
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  EXPECT_TRUE(is_plain_md5_etag(md5));
  EXPECT_TRUE(is_plain_md5_etag("\"" + md5 + "\""));
  EXPECT_TRUE(is_plain_md5_etag("\"D41D8CD98F00B204E9800998ECF8427E\""));
  EXPECT_FALSE(is_multipart_etag(md5));

  EXPECT_TRUE(is_multipart_etag("\"" + md5 + "-2\""));
  EXPECT_TRUE(is_multipart_etag(md5 + "-10000"));
  EXPECT_FALSE(is_multipart_etag(md5 + "-10001"));
  EXPECT_FALSE(is_multipart_etag(md5 + "-0"));
  EXPECT_FALSE(is_multipart_etag(md5 + "-02"));
  EXPECT_FALSE(is_multipart_etag(md5 + "-"));
  EXPECT_FALSE(is_multipart_etag(md5 + "-2x"));
  EXPECT_FALSE(is_plain_md5_etag(md5 + "-2"));

  for (const char* opaque : {"", "\"\"", "abc", "d41d8cd98f00b204e9800998ecf8427", "z41d8cd98f00b204e9800998ecf8427e",
                             "1a2b3c4d-5e6f"}) {
    EXPECT_EQ(classify_etag(opaque).kind, EtagKind::opaque) << opaque;
  }
}

TEST(EtagClassification, CarriesDigestAndCount) {
  const EtagInfo info = classify_etag("\"9B2CF535F27731C974343645A3985328-42\"");
  EXPECT_EQ(info.kind, EtagKind::multipart);
  EXPECT_EQ(info.part_count, 42u);
  EXPECT_EQ(info.normalized, "9b2cf535f27731c974343645a3985328-42");
  ASSERT_TRUE(info.digest.has_value());
  EXPECT_EQ(md5_hex(*info.digest), "9b2cf535f27731c974343645a3985328");
}

TEST(EtagClassification, MatchesAndEquality) {
  const Md5Digest d = *md5_of("");
  EXPECT_TRUE(etag_matches_md5("\"d41d8cd98f00b204e9800998ecf8427e\"", d));
  EXPECT_FALSE(etag_matches_md5("\"d41d8cd98f00b204e9800998ecf8427e-1\"", d));
  EXPECT_FALSE(etag_matches_md5("\"900150983cd24fb0d6963f7d28e17f72\"", d));
  EXPECT_TRUE(etags_equal("\"ABC\"", "ABC"));
  EXPECT_TRUE(etags_equal("W/\"d41d8cd98f00b204e9800998ecf8427e\"", "D41D8CD98F00B204E9800998ECF8427E"));
  EXPECT_FALSE(etags_equal("abc", "ABC"));  // opaque ETags compare exactly
}

}  // namespace
}  // namespace s5j::checksum
