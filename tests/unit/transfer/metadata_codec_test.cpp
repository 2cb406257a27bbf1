// The source metadata carried with a staged copy survives the round trip
// through the ledger's text column; unreadable text is an error, not a
// silent loss.
#include "transfer/metadata_codec.h"

#include <gtest/gtest.h>

namespace s5j::transfer {
namespace {

TEST(MetadataCodec, RoundTripsHeadersInOrder) {
  s3::ObjectMetadata m;
  m.headers = {{"Content-Type", "application/x-survey"},
               {"Content-Disposition", "attachment; filename=\"r \\\"q\\\".bin\""},
               {"x-amz-meta-origin", "forward edge, 日本"},
               {"Cache-Control", ""}};
  auto back = decode_metadata(encode_metadata(m));
  ASSERT_TRUE(back.has_value()) << back.error().describe();
  ASSERT_EQ(back->headers.size(), m.headers.size());
  for (size_t i = 0; i < m.headers.size(); ++i) {
    EXPECT_EQ(back->headers[i].name, m.headers[i].name);
    EXPECT_EQ(back->headers[i].value, m.headers[i].value);
  }
}

TEST(MetadataCodec, NoMetadataIsEmptyText) {
  EXPECT_EQ(encode_metadata({}), "");
  auto none = decode_metadata("");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->headers.empty());
}

TEST(MetadataCodec, UnreadableTextIsAnError) {
  for (const char* bad : {"not json", "{\"a\":1}", "[[\"only-name\"]]", "[[1, 2]]"})
    EXPECT_EQ(decode_metadata(bad).error().code, "InvalidMetadata") << bad;
}

}  // namespace
}  // namespace s5j::transfer
